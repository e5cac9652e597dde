/**
 * The speaker encoder's input features, computed as the reference does: reflect-pad by
 * (n_fft - hop) / 2, STFT with a periodic Hann window (no centring), magnitude with a 1e-9
 * floor inside the root, a Slaney-style mel filterbank (librosa's default), then log(max(x, 1e-5)).
 */
import FFT from 'fft.js';

export interface MelConfig {
  sampleRate: number;
  nFft: number;
  hop: number;
  win: number;
  nMels: number;
  fmin: number;
  fmax: number;
}

export const SPEAKER_MEL: MelConfig = { sampleRate: 24000, nFft: 1024, hop: 256, win: 1024, nMels: 128, fmin: 0, fmax: 12000 };

// Slaney mel scale: linear below 1 kHz, logarithmic above (librosa's htk=False).
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** nMels x (nFft/2 + 1) triangular filters, each scaled to unit area (Slaney normalisation). */
export function melFilterbank(c: MelConfig): Float32Array[] {
  const bins = c.nFft / 2 + 1;
  const fftFreqs = Array.from({ length: bins }, (_, i) => (i * c.sampleRate) / c.nFft);
  const lo = hzToMel(c.fmin);
  const hi = hzToMel(c.fmax);
  const points = Array.from({ length: c.nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (c.nMels + 1)));
  return Array.from({ length: c.nMels }, (_, m) => {
    const [left, centre, right] = [points[m]!, points[m + 1]!, points[m + 2]!];
    const norm = 2 / (right - left);
    const row = new Float32Array(bins);
    for (let b = 0; b < bins; b++) {
      const f = fftFreqs[b]!;
      const w = Math.max(0, Math.min((f - left) / (centre - left), (right - f) / (right - centre)));
      row[b] = w * norm;
    }
    return row;
  });
}

/** Log-mel frames, frame-major (frames x nMels), as the speaker encoder's [1, frames, 128] input. */
export function melSpectrogram(samples: Float32Array, c: MelConfig = SPEAKER_MEL): { data: Float32Array; frames: number } {
  const pad = (c.nFft - c.hop) / 2;
  if (samples.length <= pad) throw new RangeError(`audio too short for a mel spectrogram (${samples.length} samples)`);
  const padded = new Float32Array(samples.length + 2 * pad);
  padded.set(samples, pad);
  for (let i = 0; i < pad; i++) {
    padded[pad - 1 - i] = samples[i + 1]!;
    padded[pad + samples.length + i] = samples[samples.length - 2 - i]!;
  }
  const frames = Math.floor((padded.length - c.nFft) / c.hop) + 1;
  const window = Float64Array.from({ length: c.win }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / c.win));
  const filters = melFilterbank(c);
  const fft = new FFT(c.nFft);
  const input = new Array<number>(c.nFft).fill(0);
  const spectrum = fft.createComplexArray() as number[];
  const magnitude = new Float32Array(c.nFft / 2 + 1);
  const out = new Float32Array(frames * c.nMels);
  for (let f = 0; f < frames; f++) {
    const start = f * c.hop;
    for (let n = 0; n < c.nFft; n++) input[n] = n < c.win ? padded[start + n]! * window[n]! : 0;
    fft.realTransform(spectrum, input);
    for (let b = 0; b < magnitude.length; b++) {
      const re = spectrum[2 * b]!;
      const im = spectrum[2 * b + 1]!;
      magnitude[b] = Math.sqrt(re * re + im * im + 1e-9);
    }
    for (let m = 0; m < c.nMels; m++) {
      const filter = filters[m]!;
      let sum = 0;
      for (let b = 0; b < magnitude.length; b++) sum += filter[b]! * magnitude[b]!;
      out[f * c.nMels + m] = Math.log(Math.max(sum, 1e-5));
    }
  }
  return { data: out, frames };
}
