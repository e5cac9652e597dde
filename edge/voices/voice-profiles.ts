import { ApiError } from '../../shared/errors.ts';
import type { VoiceProfile } from '../../shared/schemas/voice-profile.ts';
import type { Env } from '../env.ts';
import { errorCatalogue, mergeCatalogues } from '../openapi/error-catalogue.ts';
import type { PoolModel, WorkerPool } from '../pool/worker-pool.ts';
import { clipKey, R2VoiceClips } from '../storage/voice-clips.ts';
import { D1VoiceIndex } from '../storage/voice-index.ts';
import { KvVoiceRecords, type VoiceRecord } from '../storage/voice-records.ts';
import { modelsThatCan } from './choose-model.ts';
import { VOICE_NOT_FOUND_ERRORS, voiceNotFound } from './errors.ts';
import { CLONE_ON_WORKER_ERRORS, cloneOnWorker } from './worker-calls.ts';

/** What getting a voice's profile for a model refuses with, a worker's refusal of the stored clip included. */
export const VOICE_PROFILE_ERRORS = mergeCatalogues(
  VOICE_NOT_FOUND_ERRORS,
  errorCatalogue({ 422: ['voice_incompatible'], 500: ['voice_clip_missing'] }),
  CLONE_ON_WORKER_ERRORS,
);

/**
 * The voice's record at the version the account's object admitted. KV may not have it yet right
 * after the voice was made at another location (KV is eventually consistent): the D1 row then
 * stands in, with no profiles, and the model's profile is computed from the clip.
 */
async function loadRecord(env: Env, accountId: string, voiceId: string, version: number): Promise<VoiceRecord> {
  const record = await new KvVoiceRecords(env.VOICES).get(voiceId, version);
  if (record && record.account_id === accountId) return record;
  const row = await new D1VoiceIndex(env.DB).get(accountId, voiceId);
  if (!row) throw voiceNotFound(voiceId);
  const { id, type, language, model, description, transcript } = row;
  return { id, account_id: accountId, version, type, language, model, description, transcript, clip_key: clipKey(accountId, id), profiles: {} };
}

/**
 * The profile of an account's voice for `model`: from KV when the model has used the voice
 * before; otherwise computed once by a worker of that model from the stored clip, and kept.
 */
export async function voiceProfileFor(
  env: Env,
  pool: WorkerPool,
  models: Map<string, PoolModel>,
  voice: { accountId: string; id: string; version: number },
  model: PoolModel,
  request: { requestId: string; signal: AbortSignal },
): Promise<{ record: VoiceRecord; profile: VoiceProfile }> {
  const record = await loadRecord(env, voice.accountId, voice.id, voice.version);
  const stored = record.profiles[model.info.id];
  if (stored) return { record, profile: stored };
  if (model.info.capabilities.clone === 'none') {
    const able = [record.model, ...modelsThatCan('clone', models).map((m) => m.info.id)].filter((id, i, all) => models.has(id) && all.indexOf(id) === i);
    throw new ApiError(
      422,
      'invalid_request_error',
      'voice_incompatible',
      `Model "${model.info.id}" cannot speak with voice "${voice.id}" (it cannot clone voices). Models that can: ${able.join(', ') || 'none in this deployment'}.`,
      { param: 'model' },
    );
  }
  const clip = await new R2VoiceClips(env.VOICE_CLIPS).get(record.clip_key);
  if (!clip) throw new ApiError(500, 'internal_error', 'voice_clip_missing', `The reference clip of voice "${voice.id}" is missing; create the voice again.`);
  const result = await cloneOnWorker(
    pool,
    model,
    clip,
    {
      request_id: request.requestId,
      model: model.info.id,
      source: 'stored',
      ...(record.language ? { language: record.language } : {}),
      ...(record.transcript ? { transcript: record.transcript } : {}),
      ...(record.description ? { description: record.description } : {}),
    },
    request.signal,
  );
  const updated: VoiceRecord = { ...record, profiles: { ...record.profiles, [model.info.id]: result.profile } };
  await new KvVoiceRecords(env.VOICES).put(updated);
  return { record: updated, profile: result.profile };
}
