import { z } from 'zod';
import { type VoiceInfo, VoiceInfoSchema } from '../../shared/schemas/catalog.ts';
import { VOICE_TYPES, type VoiceRow } from '../storage/voice-index.ts';

/** A cloned or designed voice as the API shows it (OpenAI-style: `object`, Unix `created_at`). */
export const VoiceObjectSchema = z
  .object({
    id: z.string(),
    object: z.literal('voice'),
    type: z.enum(VOICE_TYPES),
    name: z.string(),
    language: z.string().nullable(),
    description: z.string().nullable(),
    model: z.string().describe('The model the voice was made with.'),
    models: z.array(z.string()).optional().describe('The models that have its profile already (each computes its own on first use).'),
    created_at: z.number().int().describe('Unix time, seconds.'),
    reference: z.object({
      format: z.string().nullable(),
      duration_seconds: z.number(),
      speech_seconds: z.number(),
      sha256: z.string().nullable().describe("The uploaded clip's SHA-256 (clones)."),
      transcript: z.string().nullable(),
    }),
    consent: z
      .object({ given_at: z.string().nullable(), key_id: z.string().nullable() })
      .optional()
      .describe('Clones: when consent was given, and with which key.'),
  })
  .meta({ id: 'Voice' });
export type VoiceObject = z.infer<typeof VoiceObjectSchema>;

/** A model's preset voice, in the same lists. */
export const PresetVoiceSchema = VoiceInfoSchema.extend({ object: z.literal('voice'), type: z.literal('preset'), model: z.string() }).meta({ id: 'PresetVoice' });
export type PresetVoice = z.infer<typeof PresetVoiceSchema>;

export const AnyVoiceSchema = z.union([PresetVoiceSchema, VoiceObjectSchema]);
export type AnyVoice = z.infer<typeof AnyVoiceSchema>;

export function voiceObject(row: VoiceRow, models?: string[]): VoiceObject {
  return {
    id: row.id,
    object: 'voice',
    type: row.type,
    name: row.name,
    language: row.language,
    description: row.description,
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

export const presetObject = (voice: VoiceInfo, model: string): PresetVoice => ({ ...voice, object: 'voice', type: 'preset', model });
