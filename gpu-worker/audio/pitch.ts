/**
 * Pitch (F0) analysis of speech with pitchfinder's YIN detector: the contour of a clip, and the
 * median and spread of its voiced frames. Used to map a reference clip onto espeak's parameters.
 */
import { YIN } from 'pitchfinder';

/** The speech F0 range: pitches outside it are detector errors (octave jumps, noise). */
export const MIN_SPEECH_HZ = 50;
export const MAX_SPEECH_HZ = 500;

/**
 * Analysis runs at about 8 kHz: plenty for F0 and its first harmonics, it drops the breath noise
 * above 4 kHz that hides voicing, and YIN (quadratic in its window) costs the same at any input rate.
 */
const ANALYSIS_RATE = 8_000;
const HOP_SECONDS = 0.02;
/**
 * YIN's aperiodicity threshold. Its usual 0.1 to 0.15 misses most frames of breathy voices (espeak's
 * male variants add breath noise, as do many people); 0.3 keeps them, and the median stays where
 * other detectors (pitchfinder's McLeod, ACF2+) put it.
 */
const YIN_THRESHOLD = 0.3;
/** A frame is loud enough to be speech within 26 dB of the clip's loud frames (95th percentile). */
const RELATIVE_GATE = 0.05;
const ABSOLUTE_GATE = 1e-3;

export interface PitchFrame {
  /** Start of the frame, in seconds. */
  time: number;
  rms: number;
  /** Loud enough to be speech: pauses and silence are not. */
  loud: boolean;
  /** F0 in Hz, or null where the frame is quiet, unvoiced, or outside the speech range. */
  hz: number | null;
}

export interface PitchStats {
  medianHz: number;
  /** First and third quartiles of the voiced frames' pitch. */
  lowHz: number;
  highHz: number;
  /** Interquartile range in semitones: how much the voice moves. */
  spreadSemitones: number;
  voicedSeconds: number;
  /** Time spent speaking (loud frames), pauses left out. */
  speechSeconds: number;
}

/** The pitch of every 20 ms step of a mono clip. */
export function pitchContour(samples: Float32Array, sampleRate: number): PitchFrame[] {
  const factor = Math.max(1, Math.ceil(sampleRate / ANALYSIS_RATE));
  const audio = decimate(samples, factor);
  const rate = sampleRate / factor;
  // pitchfinder's YIN analyses the highest power of two below the length it is given, at lags up
  // to half of that: a window of `size` (+1 sample) whose half covers a 50 Hz period.
  let size = 1;
  while (size / 2 < rate / MIN_SPEECH_HZ) size *= 2;
  const detect = YIN({ sampleRate: rate, threshold: YIN_THRESHOLD });
  const hop = Math.round(rate * HOP_SECONDS);

  const frames: Array<{ start: number; rms: number }> = [];
  for (let start = 0; start + size + 1 <= audio.length; start += hop) {
    frames.push({ start, rms: rms(audio.subarray(start, start + size)) });
  }
  const loudest = quantile(frames.map((frame) => frame.rms), 0.95) ?? 0;
  const gate = Math.max(ABSOLUTE_GATE, RELATIVE_GATE * loudest);
  return frames.map(({ start, rms }) => {
    const loud = rms >= gate;
    let hz: number | null = null;
    if (loud) {
      const found = detect(audio.subarray(start, start + size + 1));
      if (found !== null && found >= MIN_SPEECH_HZ && found <= MAX_SPEECH_HZ) hz = found;
    }
    return { time: start / rate, rms, loud, hz };
  });
}

/** Statistics of the voiced frames; undefined when no frame is voiced (silence, noise). */
export function pitchStats(contour: PitchFrame[]): PitchStats | undefined {
  const voiced = contour.flatMap((frame) => (frame.hz === null ? [] : [frame.hz]));
  if (voiced.length === 0) return undefined;
  const lowHz = quantile(voiced, 0.25)!;
  const highHz = quantile(voiced, 0.75)!;
  return {
    medianHz: quantile(voiced, 0.5)!,
    lowHz,
    highHz,
    spreadSemitones: 12 * Math.log2(highHz / lowHz),
    voicedSeconds: voiced.length * HOP_SECONDS,
    speechSeconds: contour.filter((frame) => frame.loud).length * HOP_SECONDS,
  };
}

/** Median F0 of the voiced frames of a mono clip, or undefined when none is voiced. */
export function medianPitchHz(samples: Float32Array, sampleRate: number): number | undefined {
  return pitchStats(pitchContour(samples, sampleRate))?.medianHz;
}

/** Linear-interpolated quantile (0..1) of unsorted values; undefined for none. */
export function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

function rms(frame: Float32Array): number {
  let sum = 0;
  for (const sample of frame) sum += sample * sample;
  return Math.sqrt(sum / frame.length);
}

/**
 * Keeps one sample in `factor` after a windowed-sinc low-pass at the new Nyquist frequency, so
 * fricative noise does not fold down into the pitch range.
 */
function decimate(samples: Float32Array, factor: number): Float32Array {
  if (factor === 1) return samples;
  const half = 8 * factor;
  const taps = new Float64Array(2 * half + 1);
  let gain = 0;
  for (let k = -half; k <= half; k++) {
    const x = k / factor;
    const sinc = k === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    taps[k + half] = sinc * (0.5 + 0.5 * Math.cos((Math.PI * k) / (half + 1))); // Hann window
    gain += taps[k + half]!;
  }
  const out = new Float32Array(Math.floor(samples.length / factor));
  for (let i = 0; i < out.length; i++) {
    let acc = 0;
    for (let k = -half; k <= half; k++) {
      const j = i * factor + k;
      if (j >= 0 && j < samples.length) acc += taps[k + half]! * samples[j]!;
    }
    out[i] = acc / gain;
  }
  return out;
}
