/**
 * Whether two takes of espeak sound alike, for tests: espeak adds a little random noise, so two
 * takes of one text are never the same samples (nor quite the same count of them).
 */
import FFT from 'fft.js';

const FRAME = 512;
const HOP = 128;
/** Up to about 6 kHz at espeak's 22,050 Hz (where its formants are), in bands of 5 bins (215 Hz). */
const BAND_BINS = 5;
const BANDS = 28;
/** Quieter than this (dB of a frame's band) counts as this: espeak's random noise in silence is not a difference. */
const FLOOR_DB = -40;

function logSpectra(samples: Int16Array): Float64Array[] {
  const fft = new FFT(FRAME);
  const hann = Float64Array.from({ length: FRAME }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME));
  const input = new Array<number>(FRAME);
  const frames: Float64Array[] = [];
  for (let at = 0; at + FRAME <= samples.length; at += HOP) {
    for (let i = 0; i < FRAME; i++) input[i] = (samples[at + i]! / 32768) * hann[i]!;
    const spectrum = fft.createComplexArray() as number[];
    fft.realTransform(spectrum, input);
    // Power summed in bands: espeak's random noise averages out within a band, formants do not.
    const frame = new Float64Array(BANDS);
    for (let band = 0; band < BANDS; band++) {
      let power = 1e-12;
      for (let bin = 1 + band * BAND_BINS; bin <= (band + 1) * BAND_BINS; bin++) power += spectrum[2 * bin]! ** 2 + spectrum[2 * bin + 1]! ** 2;
      frame[band] = Math.max(FLOOR_DB, 10 * Math.log10(power));
    }
    frames.push(frame);
  }
  return frames;
}

/** A take from its first to its last sample above −46 dBFS: the speech, without the quiet espeak pads its blocks with. */
export function spoken(samples: Int16Array): Int16Array {
  const loud = (sample: number) => Math.abs(sample) >= 164;
  const first = samples.findIndex(loud);
  if (first < 0) return samples.subarray(0, 0);
  let last = samples.length - 1;
  while (last > first && !loud(samples[last]!)) last--;
  return samples.subarray(first, last + 1);
}

/** Mean absolute difference in dB of two frames. */
function frameDistance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let band = 0; band < BANDS; band++) sum += Math.abs(a[band]! - b[band]!);
  return sum / BANDS;
}

/**
 * How differently two takes sound: the mean difference in dB between their short-time spectra
 * over their speech (`spoken`), frames paired by dynamic time warping, so that espeak's jitter of
 * a few ms in where a sound starts is not counted as a difference. Measured on en-us: two takes of
 * one pronunciation differ by espeak's random noise, 1.2 to 1.8 dB; one consonant changed (t for d,
 * p for b) makes 2.0 to 2.8 dB, one vowel 3.4 dB.
 */
export function spectralDistance(a: Int16Array, b: Int16Array): number {
  const first = logSpectra(spoken(a));
  const second = logSpectra(spoken(b));
  if (first.length === 0 || second.length === 0) return Number.POSITIVE_INFINITY;
  // cost[j], steps[j]: the cheapest path to (i, j) and its length, one row at a time.
  let cost = new Float64Array(second.length);
  let steps = new Float64Array(second.length);
  for (const [i, frame] of first.entries()) {
    const nextCost = new Float64Array(second.length);
    const nextSteps = new Float64Array(second.length);
    for (let j = 0; j < second.length; j++) {
      const here = frameDistance(frame, second[j]!);
      if (i === 0 && j === 0) {
        nextCost[j] = here;
        nextSteps[j] = 1;
        continue;
      }
      // From the left, from above, or diagonally: the cheapest mean so far.
      const options: Array<[number, number]> = [];
      if (j > 0) options.push([nextCost[j - 1]!, nextSteps[j - 1]!]);
      if (i > 0) options.push([cost[j]!, steps[j]!]);
      if (i > 0 && j > 0) options.push([cost[j - 1]!, steps[j - 1]!]);
      const [bestCost, bestSteps] = options.reduce((best, option) => ((option[0] + here) / (option[1] + 1) < (best[0] + here) / (best[1] + 1) ? option : best));
      nextCost[j] = bestCost + here;
      nextSteps[j] = bestSteps + 1;
    }
    cost = nextCost;
    steps = nextSteps;
  }
  return cost[second.length - 1]! / steps[second.length - 1]!;
}

/** Under this, two takes say the same thing (see spectralDistance). */
export const SAME_SOUND_DB = 1.9;
