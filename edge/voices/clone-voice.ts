import { ApiError } from '../../shared/errors.ts';
import { MAX_CLIP_BYTES } from '../../shared/protocol/worker-api.ts';
import { sha256Hex } from '../../shared/sha256.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import type { VoiceRow } from '../storage/voice-index.ts';
import { chooseVoiceModel } from './choose-model.ts';
import { existingVoiceOrRoom, saveVoice } from './save-voice.ts';
import { voiceIdFor } from './voice-id.ts';
import { cloneOnWorker } from './worker-calls.ts';

/** What browsers and phones label recordings with; a missing type or octet-stream is sniffed by the worker. */
const AUDIO_TYPE = /^(audio\/[\w.+-]+|video\/(webm|mp4|ogg|quicktime)|application\/(ogg|octet-stream))$/i;
export const ACCEPTED_CLIP_FORMATS = 'WAV, MP3, Ogg/Opus, Ogg/Vorbis, FLAC, WebM/Opus or M4A/AAC';

export const clipTooLarge = (param: string) =>
  new ApiError(413, 'invalid_request_error', 'file_too_large', `The clip is over ${MAX_CLIP_BYTES / 1024 / 1024} MB; 3 to 30 seconds of speech is all a voice needs.`, { param });

/** Why an uploaded file cannot be a clip before any worker looks at it (its declared type, its size), or null. */
export function clipFileRefusal(file: File, param: string): ApiError | null {
  if (file.type && !AUDIO_TYPE.test(file.type)) {
    return new ApiError(415, 'invalid_request_error', 'unsupported_media_type', `The file is ${file.type}, not audio. Upload ${ACCEPTED_CLIP_FORMATS}.`, { param });
  }
  return file.size > MAX_CLIP_BYTES ? clipTooLarge(param) : null;
}

/** Who makes a voice, and the request it comes with. */
export interface VoiceMaker {
  accountId: string;
  /** The key that consents to a clone and pays for the voice. */
  keyId: string;
  requestId: string;
  signal: AbortSignal;
}

export interface CloneFields {
  name: string;
  transcript?: string | undefined;
  language?: string | undefined;
  model?: string | undefined;
  description?: string | undefined;
}

/**
 * Clones a voice from one clip, for every dialect: a worker decodes and checks the clip and
 * computes the model's profile; the voice is saved with the clip and who consented (the key).
 * The id derives from the account and the clip: the account's voice from this clip already is
 * answered as it is (`created: false`), without redoing the work.
 */
export async function cloneVoice(env: Env, maker: VoiceMaker, clip: Uint8Array, fields: CloneFields): Promise<{ row: VoiceRow; created: boolean; models?: string[] }> {
  const clipSha256 = await sha256Hex(clip);
  const id = await voiceIdFor(maker.accountId, `clip:${clipSha256}`);
  const existing = await existingVoiceOrRoom(env, maker.accountId, id);
  if (existing) return { row: existing, created: false };

  const pool = new WorkerPool(env);
  const model = chooseVoiceModel('clone', fields.model, await pool.models(), edgeConfig(env).defaultModel);
  const result = await cloneOnWorker(
    pool,
    model,
    clip,
    {
      request_id: maker.requestId,
      model: model.info.id,
      reference: '1',
      ...(fields.language ? { language: fields.language } : {}),
      ...(fields.transcript ? { transcript: fields.transcript } : {}),
      ...(fields.description ? { description: fields.description } : {}),
    },
    maker.signal,
  );
  const { row, created } = await saveVoice(
    env,
    {
      id,
      account_id: maker.accountId,
      type: 'clone',
      name: fields.name,
      language: fields.language ?? null,
      description: fields.description ?? null,
      transcript: fields.transcript ?? null,
      model: model.info.id,
      clip_sha256: clipSha256,
      consent_key_id: maker.keyId,
      consent_at: new Date().toISOString(),
    },
    result,
    { requestId: maker.requestId, keyId: maker.keyId },
  );
  return { row, created, models: [model.info.id] };
}
