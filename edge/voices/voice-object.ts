import type { VoiceInfo } from '../../shared/schemas/catalog.ts';
import type { VoiceRow } from '../storage/voice-index.ts';

/** A cloned or designed voice as the API shows it (OpenAI-style: `object`, Unix `created_at`). */
export function voiceObject(row: VoiceRow, models?: string[]) {
  return {
    id: row.id,
    object: 'voice' as const,
    type: row.type,
    name: row.name,
    language: row.language,
    description: row.description,
    /** The model the voice was made with; `models` lists the models that have its profile already. */
    model: row.model,
    ...(models ? { models } : {}),
    created_at: Math.floor(Date.parse(row.created_at) / 1000),
    reference: {
      format: row.reference_format,
      duration_seconds: row.reference_ms / 1000,
      speech_seconds: row.speech_ms / 1000,
      sha256: row.clip_sha256,
      transcript: row.transcript,
    },
    ...(row.type === 'clone' ? { consent: { given_at: row.consent_at, key_id: row.consent_key_id } } : {}),
  };
}

/** A model's preset voice, in the same list. */
export const presetObject = (voice: VoiceInfo, model: string) => ({ ...voice, object: 'voice' as const, type: 'preset' as const, model });
