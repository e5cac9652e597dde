import libsamplerate from '@alexanderolsen/libsamplerate-js';

// A CommonJS package: its named exports are reached through the default import under Node's ESM.
const { ConverterType, create } = libsamplerate;

export type Converter = Awaited<ReturnType<typeof create>>;

/**
 * libsamplerate converters that finished a stream, kept for the next stream of the same rates.
 * Each is its own WebAssembly instance, compiled anew from the package's embedded binary: 15 to
 * 50 ms of main-thread CPU, on the path to every stream's first audio and in the way of every
 * other stream's chunks. A few are kept per rate pair; more are made when busy.
 */
const idle = new Map<string, Converter[]>();
const MAX_IDLE_PER_RATES = 4;

/** The medium-quality sinc converter: clean for speech, and cheap next to synthesis. */
export function takeConverter(fromRate: number, toRate: number): Promise<Converter> {
  const reused = idle.get(`${fromRate}>${toRate}`)?.pop();
  return reused ? Promise.resolve(reused) : create(1, fromRate, toRate, { converterType: ConverterType.SRC_SINC_MEDIUM_QUALITY });
}

/** Keeps a converter for the next stream, its filter state cleared, or frees it when enough are kept. */
export function giveBackConverter(src: Converter, fromRate: number, toRate: number): void {
  const key = `${fromRate}>${toRate}`;
  const kept = idle.get(key) ?? [];
  if (kept.length >= MAX_IDLE_PER_RATES) return src.destroy();
  // Setting a rate makes the library free the converter's state and start afresh: a stream cut
  // short leaves nothing in the filter for the next one.
  src.inputSampleRate = fromRate;
  kept.push(src);
  idle.set(key, kept);
}
