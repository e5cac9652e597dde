import FFT from 'fft.js';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';

/**
 * Measures for telling how a stretch of speech was said: its samples and what its spectrum looks
 * like. Pronunciation tests compare takes with them (quiet stretches: test/audio-checks.ts).
 */

/** The samples of a word, by its times. */
export const wordAudio = (samples: Float32Array, sampleRate: number, word: Pick<WordTimestamp, 'start_ms' | 'end_ms'>) =>
  samples.subarray(Math.floor((word.start_ms / 1000) * sampleRate), Math.ceil((word.end_ms / 1000) * sampleRate));

const BANDS = 16;
const FRAME = 512;

/**
 * The average spectrum of a stretch: energy in 16 equal bands up to Nyquist over Hann-windowed
 * 512-sample frames (fft.js, as the worker's mel features use it), normalized to sum 1, so
 * loudness does not count, only where the energy is.
 */
export function bandSpectrum(samples: Float32Array): Float64Array {
  const bands = new Float64Array(BANDS);
  const bins = FRAME / 2;
  const fft = new FFT(FRAME);
  const input = new Array<number>(FRAME);
  const spectrum = fft.createComplexArray() as number[];
  for (let at = 0; at + FRAME <= samples.length; at += FRAME / 2) {
    for (let n = 0; n < FRAME; n++) input[n] = samples[at + n]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (FRAME - 1)));
    fft.realTransform(spectrum, input);
    for (let k = 1; k < bins; k++) bands[Math.floor((k * BANDS) / bins)]! += spectrum[2 * k]! ** 2 + spectrum[2 * k + 1]! ** 2;
  }
  const total = bands.reduce((sum, value) => sum + value, 0) || 1;
  return bands.map((value) => value / total);
}

/** How far apart two spectra are: half the L1 distance, 0 (same shape) to 1 (nothing shared). */
export const spectralDistance = (a: Float64Array, b: Float64Array): number => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]!), 0) / 2;
