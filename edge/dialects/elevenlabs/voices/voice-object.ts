import { z } from 'zod';
import type { VoiceRow, VoiceType } from '../../../storage/voice-index.ts';
import type { ListedVoice } from '../../../voices/list-voices.ts';
import type { FoundVoice } from '../../../voices/voice-by-id.ts';
import type { PresetVoice } from '../../../voices/voice-object.ts';

/**
 * Our voices as ElevenLabs' `Voice`. Presets are its `premade` voices, clones its `cloned`
 * (instant voice clones) and designed voices its `generated`; what ElevenLabs has and we do not
 * (sharing, fine-tuning, samples, preview URLs) is answered empty, never made up.
 */

export const CATEGORY_OF: Record<'preset' | VoiceType, 'premade' | 'cloned' | 'generated'> = { preset: 'premade', clone: 'cloned', design: 'generated' };

/** The voice settings a voice reports: ElevenLabs' defaults; only `speed` changes our speech. */
export const DEFAULT_VOICE_SETTINGS = { stability: 0.5, similarity_boost: 0.75, style: 0, use_speaker_boost: false, speed: 1 };

const VoiceSettingsSchema = z.object({
  stability: z.number(),
  similarity_boost: z.number(),
  style: z.number(),
  use_speaker_boost: z.boolean(),
  speed: z.number(),
});

export const ElevenLabsVoiceSchema = z
  .object({
    voice_id: z.string(),
    name: z.string(),
    category: z.enum(['premade', 'cloned', 'generated']).describe('`premade`: a model\'s preset; `cloned`: cloned from a clip; `generated`: designed from a description.'),
    labels: z.record(z.string(), z.string()).describe('`gender` (presets) and `language`, where known.'),
    description: z.string().nullable(),
    preview_url: z.null().describe('Always null: no voice has a public preview file.'),
    samples: z.null(),
    settings: VoiceSettingsSchema,
    available_for_tiers: z.array(z.string()),
    fine_tuning: z.object({ is_allowed_to_fine_tune: z.boolean(), state: z.record(z.string(), z.string()), verification_failures: z.array(z.string()), verification_attempts_count: z.number().int(), manual_verification_requested: z.boolean() }),
    sharing: z.null(),
    high_quality_base_model_ids: z
      .array(z.string())
      .describe("The models that have its profile: a preset's model; the model an own voice was made with (and, from `GET /v1/voices/{voice_id}`, each model that has used it since)."),
    verified_languages: z.array(z.object({ language: z.string(), model_id: z.string() })),
    is_owner: z.boolean(),
    is_legacy: z.boolean(),
    is_mixed: z.boolean(),
    created_at_unix: z.number().int().nullable(),
    permission_on_resource: z.string().nullable(),
  })
  .meta({ id: 'ElevenLabsVoice' });
export type ElevenLabsVoice = z.infer<typeof ElevenLabsVoiceSchema>;

const NO_FINE_TUNING: ElevenLabsVoice['fine_tuning'] = { is_allowed_to_fine_tune: false, state: {}, verification_failures: [], verification_attempts_count: 0, manual_verification_requested: false };

const common: Pick<ElevenLabsVoice, 'preview_url' | 'samples' | 'settings' | 'available_for_tiers' | 'fine_tuning' | 'sharing' | 'is_legacy' | 'is_mixed'> = {
  preview_url: null,
  samples: null,
  settings: DEFAULT_VOICE_SETTINGS,
  available_for_tiers: [],
  fine_tuning: NO_FINE_TUNING,
  sharing: null,
  is_legacy: false,
  is_mixed: false,
};

export function elevenLabsPreset(voice: PresetVoice): ElevenLabsVoice {
  return {
    ...common,
    voice_id: voice.id,
    name: voice.name,
    category: CATEGORY_OF.preset,
    labels: { gender: voice.gender, language: voice.language },
    description: voice.description ?? null,
    high_quality_base_model_ids: [voice.model],
    verified_languages: [{ language: voice.language, model_id: voice.model }],
    is_owner: false,
    created_at_unix: null,
    permission_on_resource: null,
  };
}

/** One of the account's voices; `models`: those that have its profile, when known (else the one it was made with). */
export function elevenLabsOwnVoice(row: VoiceRow, models?: string[]): ElevenLabsVoice {
  const modelIds = models && models.length > 0 ? models : [row.model];
  return {
    ...common,
    voice_id: row.id,
    name: row.name,
    category: CATEGORY_OF[row.type],
    labels: row.language ? { language: row.language } : {},
    description: row.description,
    high_quality_base_model_ids: modelIds,
    verified_languages: row.language ? modelIds.map((model_id) => ({ language: row.language!, model_id })) : [],
    is_owner: true,
    created_at_unix: Math.floor(Date.parse(row.created_at) / 1000),
    permission_on_resource: 'admin',
  };
}

/** A voice as the core lists or finds it. */
export const elevenLabsVoice = (voice: ListedVoice | FoundVoice): ElevenLabsVoice =>
  voice.preset ? elevenLabsPreset(voice.preset) : elevenLabsOwnVoice(voice.row, 'models' in voice ? voice.models : undefined);
