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

/** 5 ms windows at espeak's 22,050 Hz. */
const SOUND_WINDOW = 110;
/** −40 dBFS RMS, as 16-bit samples: over the faint noise espeak leaves around speech (it rises to about −47 dBFS at a take's end). */
const SOUND_RMS = 0.01 * 32768;

/** Whether each 5 ms window of a take holds sound. */
function soundWindows(samples: Int16Array): boolean[] {
  return Array.from({ length: Math.floor(samples.length / SOUND_WINDOW) }, (_, window) => {
    let energy = 0;
    for (let i = window * SOUND_WINDOW; i < (window + 1) * SOUND_WINDOW; i++) energy += samples[i]! ** 2;
    return Math.sqrt(energy / SOUND_WINDOW) >= SOUND_RMS;
  });
}

/**
 * A take from its first to its last window with sound: the speech, without the quiet espeak pads
 * its blocks with. Windows, not samples: a lone noise sample in the quiet does not count as sound.
 */
export function spoken(samples: Int16Array): Int16Array {
  const sound = soundWindows(samples);
  const first = sound.indexOf(true);
  if (first < 0) return samples.subarray(0, 0);
  return samples.subarray(first * SOUND_WINDOW, (sound.lastIndexOf(true) + 1) * SOUND_WINDOW);
}

/**
 * How long a take sounds, in samples: its windows with sound, counted. A stop's faint release at
 * the end sounding in one take and not in another moves this by a window, not by the silence before it.
 */
export function soundLength(samples: Int16Array): number {
  return soundWindows(samples).filter(Boolean).length * SOUND_WINDOW;
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
 * a few ms in where a sound starts is not counted as a difference. Measured (en-us, de, ko): two
 * takes of one pronunciation differ by espeak's random noise, 0.8 to 1.8 dB; one consonant changed
 * (t for d, f for s) by 2.0 to 2.3 dB, so near the line; one vowel changed by 3.4 dB or more.
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
export const SAME_SOUND_DB = 2;
/** Two takes of one pronunciation sound this close in length (see soundLength). */
const SAME_LENGTH = 0.02;

/** Whether two takes say the same: as long within 2%, and their spectra within SAME_SOUND_DB. */
export function sameSpeech(a: Int16Array, b: Int16Array): boolean {
  return Math.abs(soundLength(a) - soundLength(b)) <= SAME_LENGTH * soundLength(a) && spectralDistance(a, b) < SAME_SOUND_DB;
}

/**
 * Whether `take` says the same as one of two takes of a reference made one after the other: from
 * call to call espeak alternates between two slightly different takes of a text (one 4% longer in
 * sound, measured on Mandarin and Arabic words), so one of the pair is the kind `take` is.
 */
export function sameAsReference(take: Int16Array, reference: () => Int16Array): boolean {
  return sameSpeech(take, reference()) || sameSpeech(take, reference());
}
