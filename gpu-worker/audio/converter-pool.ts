import { IdlePool } from './idle-pool.ts';
import { SpeexConverter } from './speex.ts';

/** Resampler states reused across streams (see IdlePool): making one computes its filter tables. */
const converters = new IdlePool<SpeexConverter>({ maxPerKind: 16, free: (converter) => converter.destroy() });
const kindOf = (fromRate: number, toRate: number) => `${fromRate}>${toRate}`;

export function takeConverter(fromRate: number, toRate: number): Promise<SpeexConverter> {
  const reused = converters.take(kindOf(fromRate, toRate));
  return reused ? Promise.resolve(reused) : SpeexConverter.create(fromRate, toRate);
}

/** Keeps a converter for the next stream of the same rates, its filter cleared, or frees it when enough are kept. */
export function giveBackConverter(converter: SpeexConverter, fromRate: number, toRate: number): void {
  // A stream cut short leaves audio in the filter: the next one starts from silence.
  converter.reset();
  converters.giveBack(kindOf(fromRate, toRate), converter);
}
