/**
 * Cloning's common first steps: reference audio checked, capped and resampled to 24 kHz
 * (SpeexDSP's resampler), then, for the x-vector, log-mel features to the speaker encoder's embedding,
 * which takes the speaker slot of the prompt.
 */
import * as ort from 'onnxruntime-node';
import { resampleAll } from '../../audio/resampler.ts';
import { EngineRequestError } from '../types.ts';
import { melSpectrogram, SPEAKER_MEL } from './mel.ts';
import { runSession } from './run-stats.ts';

/** Shorter references give unstable embeddings; the product asks for about 3 s. */
export const MIN_REFERENCE_SECONDS = 1;
/** Longer references add nothing to an x-vector but cost time (and prompt rows in context mode). */
export const MAX_REFERENCE_SECONDS = 30;

/** The reference clip at `toRate`: refused under MIN_REFERENCE_SECONDS, cut at MAX_REFERENCE_SECONDS. */
export async function referenceAudio(samples: Float32Array, sampleRate: number, toRate: number): Promise<Float32Array> {
  const seconds = samples.length / sampleRate;
  if (seconds < MIN_REFERENCE_SECONDS) {
    throw new EngineRequestError('reference_too_short', `Reference audio is ${seconds.toFixed(2)} s; at least ${MIN_REFERENCE_SECONDS} s is needed (3 s or more recommended).`, 'file');
  }
  if (seconds > MAX_REFERENCE_SECONDS) {
    samples = samples.subarray(0, Math.round(MAX_REFERENCE_SECONDS * sampleRate));
  }
  return resampleAll(samples, sampleRate, toRate);
}

/** The x-vector of reference audio at SPEAKER_MEL.sampleRate (see referenceAudio). */
export async function speakerEmbedding(session: ort.InferenceSession, audio: Float32Array, hiddenSize: number): Promise<Float32Array> {
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
