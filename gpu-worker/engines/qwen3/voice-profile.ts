/**
 * The engine's voice profile data (VoiceProfile.data): what createVoice writes, and how a profile
 * sent back with a request is checked against this pack and decoded into tensors.
 *
 * - `x-vector` (Base, speaker encoder only): `embedding` is the speaker slot of the prompt.
 * - `in-context` (Base with the codec encoder, given a transcript): the x-vector plus the
 *   reference clip's codec codes and transcript, which the prompt places before the new text.
 * - `description` (VoiceDesign): the description is the instruction.
 *
 * Tensors are base64 of little-endian arrays, so the data survives JSON (and the edge's KV).
 */
import { EngineRequestError, type VoiceProfile } from '../types.ts';
import type { CodeFrames } from './codec-encoder.ts';
import type { Manifest } from './pack.ts';

export interface XVectorData {
  format: 'x-vector';
  hidden_size: number;
  /** base64 of little-endian float32, hidden_size values. */
  embedding: string;
}

export interface InContextData {
  format: 'in-context';
  hidden_size: number;
  /** base64 of little-endian float32, hidden_size values (the x-vector, also used in this mode). */
  embedding: string;
  /** The reference clip's transcript. */
  ref_text: string;
  /** Codec frames of the reference clip (12.5 per second). */
  ref_frames: number;
  /** Codebooks per frame (16). */
  ref_groups: number;
  /** base64 of little-endian int16, frame-major: ref_frames x ref_groups codes. */
  ref_codes: string;
}

export interface DesignData {
  format: 'description';
  description: string;
}

export type CloneData = XVectorData | InContextData;

/** A cloned voice decoded for this pack: what the engine caches per profile key. */
export interface ClonedVoice {
  vector: Float32Array;
  reference?: { text: string; codes: CodeFrames };
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

export function encodeCodes(c: CodeFrames): string {
  return Buffer.from(c.codes.buffer, c.codes.byteOffset, c.codes.byteLength).toString('base64');
}

export function decodeCodes(b64: string, frames: number, groups: number): CodeFrames {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== frames * groups * 2) throw new Error(`${bytes.length} bytes of codes, expected ${frames} x ${groups} int16`);
  const codes = new Int16Array(frames * groups);
  new Uint8Array(codes.buffer).set(bytes);
  return { frames, groups, codes };
}

export function cloneData(hiddenSize: number, vector: Float32Array, reference?: { text: string; codes: CodeFrames }): CloneData {
  const embedding = encodeVector(vector);
  if (!reference) return { format: 'x-vector', hidden_size: hiddenSize, embedding };
  return {
    format: 'in-context',
    hidden_size: hiddenSize,
    embedding,
    ref_text: reference.text,
    ref_frames: reference.codes.frames,
    ref_groups: reference.codes.groups,
    ref_codes: encodeCodes(reference.codes),
  };
}

const incompatible = (message: string) => new EngineRequestError('voice_incompatible', message, 'voice');

/**
 * Checks a clone profile's header against this pack (cheap: no base64 is decoded), so a profile
 * of another model is refused whether or not its key is cached.
 */
export function checkCloneProfile(profile: VoiceProfile, m: Manifest): CloneData {
  if (m.variant !== 'Base') throw incompatible(`Cloned voices need a Qwen3-TTS Base model; ${m.id} is ${m.variant}.`);
  const data = profile.data as Partial<CloneData>;
  const known = data.format === 'x-vector' || data.format === 'in-context';
  if (!known || typeof data.embedding !== 'string' || data.hidden_size !== m.dims.hidden_size) {
    throw incompatible(
      `This voice was cloned with ${profile.model} (x-vector of ${data.hidden_size ?? '?'} values); ${m.id} needs ${m.dims.hidden_size}.`,
    );
  }
  if (data.format === 'in-context') {
    if (data.ref_groups !== m.dims.num_code_groups) {
      throw incompatible(`This voice's reference codes have ${data.ref_groups ?? '?'} codebooks; ${m.id} has ${m.dims.num_code_groups}.`);
    }
    const frames = data.ref_frames ?? 0;
    if (!data.ref_text || typeof data.ref_text !== 'string' || typeof data.ref_codes !== 'string' || !Number.isInteger(frames) || frames <= 0) {
      throw incompatible('The voice profile is corrupt (its in-context fields are incomplete).');
    }
  }
  return data as CloneData;
}

/** Decodes a checked profile's tensors; a profile whose bytes do not add up is refused. */
export function decodeCloneProfile(data: CloneData, m: Manifest): ClonedVoice {
  try {
    const vector = decodeVector(data.embedding);
    if (vector.length !== m.dims.hidden_size) throw new Error(`${vector.length} x-vector values`);
    if (data.format === 'x-vector') return { vector };
    const codes = decodeCodes(data.ref_codes, data.ref_frames, data.ref_groups);
    if (codes.codes.some((c) => c < 0 || c >= m.dims.codebook_size)) throw new Error('a code outside the codebook');
    return { vector, reference: { text: data.ref_text, codes } };
  } catch (error) {
    throw incompatible(`The voice profile is corrupt (${(error as Error).message}).`);
  }
}
