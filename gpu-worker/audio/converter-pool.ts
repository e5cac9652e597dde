import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { IdlePool } from './idle-pool.ts';

// A CommonJS package: its named exports are reached through the default import under Node's ESM.
const { ConverterType, create } = libsamplerate;

export type Converter = Awaited<ReturnType<typeof create>>;

/** libsamplerate converters, each its own WebAssembly instance, reused across streams (see IdlePool). */
const converters = new IdlePool<Converter>({ maxPerKind: 16, free: (src) => src.destroy() });
const kindOf = (fromRate: number, toRate: number) => `${fromRate}>${toRate}`;

/** The medium-quality sinc converter: clean for speech, and cheap next to synthesis. */
export function takeConverter(fromRate: number, toRate: number): Promise<Converter> {
  const reused = converters.take(kindOf(fromRate, toRate));
  return reused ? Promise.resolve(reused) : create(1, fromRate, toRate, { converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY });
}

/** Keeps a converter for the next stream, its filter state cleared, or frees it when enough are kept. */
export function giveBackConverter(src: Converter, fromRate: number, toRate: number): void {
  // Setting a rate makes the library free the converter's state and start afresh: a stream cut
  // short leaves nothing in the filter for the next one.
  src.inputSampleRate = fromRate;
  converters.giveBack(kindOf(fromRate, toRate), src);
}
