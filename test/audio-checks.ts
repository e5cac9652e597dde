import { s16leToFloat } from '../shared/audio/pcm.ts';
import { parseWavHeader, type ParsedWavHeader } from '../shared/audio/wav.ts';

/** Root mean square of samples in [-1, 1]. */
export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/**
 * Speech, not silence or a steady tone: enough energy overall, and energy that comes and goes
 * (syllables and pauses) across 20 ms frames.
 */
export function looksLikeSpeech(samples: Float32Array, sampleRate: number): { ok: boolean; rms: number; voicedFraction: number; seconds: number } {
  const frame = Math.round(sampleRate * 0.02);
  const energies: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) energies.push(rms(samples.subarray(i, i + frame)));
  const loud = Math.max(...energies);
  const voicedFraction = energies.filter((e) => e > loud * 0.1).length / Math.max(1, energies.length);
  const overall = rms(samples);
  const seconds = samples.length / sampleRate;
  return { ok: overall > 0.01 && voicedFraction > 0.2 && voicedFraction < 0.98 && seconds > 0.3, rms: overall, voicedFraction, seconds };
}

export interface DecodedWav {
  header: ParsedWavHeader;
  samples: Float32Array;
  dataBytes: number;
}

export function decodeWav(bytes: Uint8Array): DecodedWav {
  const header = parseWavHeader(bytes);
  const data = bytes.subarray(header.dataOffset);
  return { header, samples: s16leToFloat(data), dataBytes: data.byteLength };
}

/** Reads a response body chunk by chunk, noting when each chunk arrived (ms since `since`). */
export async function readTimed(response: Response, since: number): Promise<{ bytes: Uint8Array; arrivals: Array<{ at: number; size: number; offset: number }> }> {
  const reader = response.body!.getReader();
  const parts: Uint8Array[] = [];
  const arrivals: Array<{ at: number; size: number; offset: number }> = [];
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    arrivals.push({ at: performance.now() - since, size: value.byteLength, offset });
    offset += value.byteLength;
    parts.push(value);
  }
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return { bytes, arrivals };
}

/**
 * Stretches of at least `minMs` whose 10 ms windows all stay under -46 dBFS RMS (0.005), in ms:
 * [from, to). The level espeak's word ends use too, so that what is checked is where the words
 * and pauses are, not two levels' disagreement over a fading tail.
 */
export function quietStretches(samples: Float32Array, sampleRate: number, minMs = 80): Array<[number, number]> {
  const window = Math.round(sampleRate / 100);
  const found: Array<[number, number]> = [];
  let quietFrom = -1;
  for (let at = 0; at < samples.length; at += window) {
    const end = Math.min(at + window, samples.length);
    let energy = 0;
    for (let i = at; i < end; i++) energy += samples[i]! ** 2;
    const quiet = Math.sqrt(energy / (end - at)) < 0.005;
    if (quiet && quietFrom < 0) quietFrom = at;
    const stop = !quiet ? at : end === samples.length ? end : -1;
    if (quietFrom >= 0 && stop >= 0) {
      if (((stop - quietFrom) / sampleRate) * 1000 >= minMs) found.push([(quietFrom / sampleRate) * 1000, (stop / sampleRate) * 1000]);
      quietFrom = -1;
    }
  }
  return found;
}
