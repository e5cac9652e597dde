/**
 * Cloning in x-vector mode: reference audio, resampled to 24 kHz (libsamplerate), to log-mel
 * features, to the speaker encoder's embedding, which takes the speaker slot of the prompt.
 */
// libsamplerate-js is CommonJS: Node's ESM loader sees only its default export.
import * as ort from 'onnxruntime-node';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { EngineRequestError } from '../types.ts';
import { melSpectrogram, SPEAKER_MEL } from './mel.ts';
import { runSession } from './run-stats.ts';

/** Shorter references give unstable embeddings; the product asks for about 3 s. */
export const MIN_REFERENCE_SECONDS = 1;
/** Longer references add nothing to an x-vector but cost time. */
export const MAX_REFERENCE_SECONDS = 30;

export async function resample(samples: Float32Array, from: number, to: number): Promise<Float32Array> {
  if (from === to) return samples;
  const src = await libsamplerate.create(1, from, to, { converterType: libsamplerate.ConverterType.SRC_SINC_MEDIUM_QUALITY });
  try {
    return src.simple(samples);
  } finally {
    src.destroy();
  }
}

export async function speakerEmbedding(
  session: ort.InferenceSession,
  samples: Float32Array,
  sampleRate: number,
  hiddenSize: number,
): Promise<Float32Array> {
  const seconds = samples.length / sampleRate;
  if (seconds < MIN_REFERENCE_SECONDS) {
    throw new EngineRequestError('reference_too_short', `Reference audio is ${seconds.toFixed(2)} s; at least ${MIN_REFERENCE_SECONDS} s is needed (3 s or more recommended).`, 'file');
  }
  if (seconds > MAX_REFERENCE_SECONDS) {
    samples = samples.subarray(0, Math.round(MAX_REFERENCE_SECONDS * sampleRate));
  }
  const audio = await resample(samples, sampleRate, SPEAKER_MEL.sampleRate);
  const mel = melSpectrogram(audio, SPEAKER_MEL);
  const out = await runSession(
    session,
    'speaker_encoder',
    { mel: new ort.Tensor('float32', mel.data, [1, mel.frames, SPEAKER_MEL.nMels]) },
    undefined,
  );
  const first = out[session.outputNames[0] as string] as ort.Tensor;
  const data = first.data as Float32Array;
  return Float32Array.from(data.subarray(data.length - hiddenSize));
}

/** Float32 vectors travel in voice profiles as base64 of their little-endian bytes. */
export function encodeVector(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

export function decodeVector(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length % 4 !== 0) throw new Error('not a float32 vector');
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
