import { ApiError } from '../../shared/errors.ts';
import type { WorkerVoiceResult } from '../../shared/protocol/worker-api.ts';
import { accountObject } from '../accounts/account-stub.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { clipKey, R2VoiceClips } from '../storage/voice-clips.ts';
import { D1VoiceIndex, type VoiceRow } from '../storage/voice-index.ts';
import { KvVoiceRecords } from '../storage/voice-records.ts';
import { D1UsageLedger } from '../storage/usage-ledger.ts';
import { fromBase64 } from './worker-calls.ts';

/** A voice about to be saved: everything its row says, less what saving decides (version, time). */
export type NewVoice = Omit<VoiceRow, 'version' | 'created_at' | 'reference_format' | 'reference_ms' | 'speech_ms'>;

/** What saving a new voice (and checking there is room for it first) refuses with. */
export const SAVE_VOICE_ERRORS = errorCatalogue({ 401: ['invalid_api_key'], 402: ['insufficient_credits'], 403: ['voice_quota_exceeded'] });

export const voiceQuotaExceeded = (limit: number) =>
  new ApiError(403, 'permission_error', 'voice_quota_exceeded', `The account has ${limit} voices, its limit. Delete one (DELETE /v1/voices/{id}) to make room.`);

/**
 * Before a worker does any work: the account's voice with this id if it has one already (the
 * same clip or design again), or null when there is room for a new one; 403 when there is not.
 */
export async function existingVoiceOrRoom(env: Env, accountId: string, voiceId: string): Promise<VoiceRow | null> {
  const account = accountObject(env, accountId);
  if (await account.voice(voiceId)) {
    const existing = await new D1VoiceIndex(env.DB).get(accountId, voiceId);
    if (existing) return existing;
  }
  const room = await account.voiceRoom();
  if (!room.ok) throw voiceQuotaExceeded(room.limit);
  return null;
}

/** Credits a voice costs: the configured price per second of its reference audio. */
export function voicePrice(env: Env, referenceSeconds: number): number {
  const perSecond = edgeConfig(env).voiceCreditsPerSecond;
  return perSecond > 0 ? Math.ceil(referenceSeconds * perSecond) : 0;
}

/**
 * Saves a voice a worker made: registered with the account's object (quota and charge in one
 * step), then its clip to R2, its record and first profile to KV, its row to D1 and a ledger row.
 * A voice the account already has is returned as it is (content-addressed ids), charged nothing.
 * If a store fails after registration, the registration and the charge are undone.
 */
export async function saveVoice(
  env: Env,
  voice: NewVoice,
  result: WorkerVoiceResult,
  request: { requestId: string; keyId: string },
): Promise<{ row: VoiceRow; created: boolean }> {
  const index = new D1VoiceIndex(env.DB);
  const charge = voicePrice(env, result.reference.duration_seconds);
  const account = accountObject(env, voice.account_id);
  const registration = await account.registerVoice({ voice_id: voice.id, charge });
  if (!registration.ok) {
    if (registration.reason === 'voice_quota_exceeded') throw voiceQuotaExceeded(registration.limit);
    if (registration.reason === 'insufficient_credits') {
      throw new ApiError(402, 'insufficient_credits', 'insufficient_credits', `Creating this voice costs ${charge} credits and the account has ${registration.balance}.`);
    }
    throw new ApiError(401, 'authentication_error', 'invalid_api_key', 'The API key is not valid.');
  }
  if (!registration.created) {
    const existing = await index.get(voice.account_id, voice.id);
    if (existing) return { row: existing, created: false };
  }

  const now = new Date();
  const row: VoiceRow = {
    ...voice,
    version: registration.version,
    reference_format: result.reference.format,
    reference_ms: Math.round(result.reference.duration_seconds * 1000),
    speech_ms: Math.round(result.reference.speech_seconds * 1000),
    created_at: now.toISOString(),
  };
  try {
    const key = clipKey(voice.account_id, voice.id);
    const audio = result.reference.audio;
    if (audio) await new R2VoiceClips(env.VOICE_CLIPS).put(key, fromBase64(audio.base64), voice.clip_sha256);
    await new KvVoiceRecords(env.VOICES).put({
      id: voice.id,
      account_id: voice.account_id,
      version: row.version,
      type: voice.type,
      language: voice.language,
      model: voice.model,
      clip_key: key,
      description: voice.description,
      transcript: voice.transcript,
      profiles: { [voice.model]: result.profile },
    });
    await index.insert(row);
    await new D1UsageLedger(env.DB).record({
      kind: voice.type === 'clone' ? 'voice_clone' : 'voice_design',
      account_id: voice.account_id,
      request_id: request.requestId,
      key_id: request.keyId,
      model: voice.model,
      voice: voice.id,
      characters: 0,
      audio_ms: row.reference_ms,
      credits_charged: charge,
      status: 'completed',
      time_to_first_audio_ms: null,
      created_at: row.created_at,
    });
  } catch (error) {
    await account.deleteVoice(voice.id);
    if (charge > 0) await account.addCredits(charge);
    throw error;
  }
  return { row, created: true };
}
