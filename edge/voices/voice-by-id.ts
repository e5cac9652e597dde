import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { Env } from '../env.ts';
import type { PoolModel } from '../pool/worker-pool.ts';
import { D1AudioCacheIndex } from '../storage/audio-cache-index.ts';
import { clipKey, R2VoiceClips } from '../storage/voice-clips.ts';
import { D1VoiceIndex, type VoiceRow } from '../storage/voice-index.ts';
import { KvVoiceRecords } from '../storage/voice-records.ts';
import { voiceNotFound } from './errors.ts';
import { type PresetVoice, presetObject } from './voice-object.ts';

/** One voice by its id, for every dialect: a preset, or the account's own with the models that have its profile. */
export type FoundVoice = { preset: PresetVoice; row?: never } | { row: VoiceRow; models: string[]; preset?: never };

/**
 * A preset of a served model, or one of the account's own voices; anything else (another
 * account's voice included) is 404 voice_not_found, exactly like a voice that never existed.
 */
export async function findVoice(env: Env, accountId: string, id: string, models: () => Promise<Map<string, PoolModel>>): Promise<FoundVoice> {
  if (!isCustomVoiceId(id)) {
    for (const { info } of (await models()).values()) {
      const preset = info.voices.find((voice) => voice.id === id);
      if (preset) return { preset: presetObject(preset, info.id) };
    }
    throw voiceNotFound(id);
  }
  const entry = await accountObject(env, accountId).voice(id);
  const row = entry ? await new D1VoiceIndex(env.DB).get(accountId, id) : null;
  if (!entry || !row) throw voiceNotFound(id);
  const record = await new KvVoiceRecords(env.VOICES).get(id, entry.version);
  return { row, models: Object.keys(record?.profiles ?? {}) };
}

/**
 * Deletes one of the account's voices, its profiles and its clip, and dooms its cached audio
 * (the caller purges it behind the answer: purgeBehind); presets and unknown ids are 404.
 */
export async function deleteVoice(env: Env, accountId: string, id: string): Promise<void> {
  const account = accountObject(env, accountId);
  const entry = isCustomVoiceId(id) ? await account.voice(id) : null;
  if (!entry) throw voiceNotFound(id);
  // The account's object first: from this moment no request can use the voice, on any isolate.
  await account.deleteVoice(id);
  await Promise.all([
    new D1VoiceIndex(env.DB).delete(accountId, id),
    new KvVoiceRecords(env.VOICES).delete(id, entry.version),
    new R2VoiceClips(env.VOICE_CLIPS).delete(clipKey(accountId, id)),
    new D1AudioCacheIndex(env.DB).doomVoice(accountId, id),
  ]);
}
