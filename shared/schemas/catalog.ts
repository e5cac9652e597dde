import { z } from 'zod';

/** A voice a model can speak with. Presets belong to a model; cloned and designed voices to an account. */
export const VoiceInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  gender: z.enum(['male', 'female', 'neutral']),
  /** The language the voice speaks when the request names none. */
  language: z.string(),
  description: z.string().optional(),
});
export type VoiceInfo = z.infer<typeof VoiceInfoSchema>;

export const ModelCapabilitiesSchema = z.object({
  streaming: z.boolean(),
  /** Zero-shot cloning from reference audio; `approximate` when the engine only imitates pitch and rate. */
  clone: z.enum(['none', 'approximate', 'full']),
  design: z.enum(['none', 'approximate', 'full']),
  instructions: z.boolean(),
  seed: z.boolean(),
  /** Says a stretch from its phonemes (a dictionary's phoneme rule, SSML `<phoneme>`); without it, the stretch's text is said and the answer says so. */
  phonemes: z.boolean(),
  /** Stresses SSML `<emphasis>`; without it, emphasis is reported as not honoured. */
  emphasis: z.boolean(),
});
export type ModelCapabilities = z.infer<typeof ModelCapabilitiesSchema>;

/** What one model served by the pool offers: the answer of `GET /v1/models` is built from these. */
export const ModelInfoSchema = z.object({
  id: z.string(),
  engine: z.string(),
  description: z.string(),
  languages: z.array(z.string()),
  sample_rate: z.number().int().positive(),
  capabilities: ModelCapabilitiesSchema,
  default_voice: z.string(),
  voices: z.array(VoiceInfoSchema),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
