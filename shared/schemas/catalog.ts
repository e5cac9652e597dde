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
  /**
   * The same request (with the same seed, where the model takes one: the edge always sends one)
   * is the same audio, sample for sample, on any worker: its mp3, aac and flac streams resume
   * byte-exact on another worker. Absent from an older worker: false.
   */
  deterministic: z.boolean().default(false),
  /** Says a stretch from its phonemes (a dictionary's phoneme rule, SSML `<phoneme>`); without it, the stretch's text is said and the answer says so. Absent from an older worker: false. */
  phonemes: z.boolean().default(false),
  /** Stresses SSML `<emphasis>`; without it, emphasis is reported as not honoured. Absent from an older worker: false. */
  emphasis: z.boolean().default(false),
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
  /**
   * What made the model's audio: its pack (or embedded engine) and the worker's own release, whose
   * encoders shape the bytes. It changes with a new pack, a new engine package or a new worker
   * release, so audio cached under one version is never served for another. Absent from an older
   * worker: ''.
   */
  version: z.string().default(''),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
