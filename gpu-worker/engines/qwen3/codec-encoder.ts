/**
 * The 12 Hz codec's encoder (the optional `tokenizer12hz_encode.onnx`): reference audio to codes,
 * `groups` per 1,920-sample frame, which in-context cloning places in the prompt.
 *
 * Interface as the public export names it after the reference's `encode(input_values,
 * padding_mask)`: `input_values` [1, samples] float32 at 24 kHz and, where the graph has it,
 * `padding_mask` [1, samples] int64 (all ones: one clip, no batch padding); output `audio_codes`
 * [1, F', groups] int64. Exports may return more frames than the clip fills, so the codes are
 * trimmed to ceil(samples / 1920) frames, as the reference trims them by the mask.
 */
import * as ort from 'onnxruntime-node';
import { runSession, type RunStats } from './run-stats.ts';

/** Codec frames, frame-major (`groups` codes per frame, codebook 0 first). int16 holds 2,048 codes. */
export interface CodeFrames {
  frames: number;
  groups: number;
  codes: Int16Array;
}

export interface EncoderDims {
  groups: number;
  codebookSize: number;
  samplesPerFrame: number;
}

export async function encodeReference(
  session: ort.InferenceSession,
  audio: Float32Array,
  dims: EncoderDims,
  stats?: RunStats,
): Promise<CodeFrames> {
  const feeds: Record<string, ort.Tensor> = { input_values: new ort.Tensor('float32', audio, [1, audio.length]) };
  if (session.inputNames.includes('padding_mask')) {
    feeds.padding_mask = new ort.Tensor('int64', new BigInt64Array(audio.length).fill(1n), [1, audio.length]);
  }
  const out = (await runSession(session, 'tokenizer12hz_encode', feeds, stats)).audio_codes as ort.Tensor;
  const frames = Math.ceil(audio.length / dims.samplesPerFrame);
  const got = out.dims[1] ?? 0;
  if (out.dims.length !== 3 || out.dims[2] !== dims.groups || got < frames) {
    throw new Error(`tokenizer12hz_encode.onnx: audio_codes has shape [${out.dims.join(',')}], expected [1,${frames},${dims.groups}] for ${audio.length} samples`);
  }
  const data = out.data as BigInt64Array;
  const codes = new Int16Array(frames * dims.groups);
  for (let i = 0; i < codes.length; i++) {
    const code = Number(data[i]);
    if (code < 0 || code >= dims.codebookSize) {
      throw new Error(`tokenizer12hz_encode.onnx: code ${code} outside the codebook (${dims.codebookSize})`);
    }
    codes[i] = code;
  }
  return { frames, groups: dims.groups, codes };
}

/** Frames as the codec decoder and the code embedders take them. */
export function frameList(c: CodeFrames): number[][] {
  const out: number[][] = [];
  for (let f = 0; f < c.frames; f++) out.push(Array.from(c.codes.subarray(f * c.groups, (f + 1) * c.groups)));
  return out;
}
