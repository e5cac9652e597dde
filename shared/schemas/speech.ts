import { z } from 'zod';

/** OpenAI's limit too, so that clients written for it keep working. Longer input answers 413. */
export const MAX_INPUT_CHARACTERS = 4096;
export const MAX_INSTRUCTIONS_CHARACTERS = 4096;

/** Every format the API names (OpenAI's set plus telephony mu-law). */
export const RESPONSE_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm', 'mulaw'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** The formats the workers encode today; the others answer a clear 400 until they exist. */
export const SUPPORTED_RESPONSE_FORMATS = ['wav', 'pcm'] as const satisfies readonly ResponseFormat[];
export type SupportedResponseFormat = (typeof SUPPORTED_RESPONSE_FORMATS)[number];

export function isSupportedFormat(format: ResponseFormat): format is SupportedResponseFormat {
  return (SUPPORTED_RESPONSE_FORMATS as readonly string[]).includes(format);
}

/**
 * Any well-formed code parses; whether a model speaks it is checked against the catalog, so that
 * the error can name the models that do.
 */
export const LanguageCodeSchema = z
  .string()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, 'expected a language code such as "en" or "pt-BR"')
  .transform((code) => code.toLowerCase());

/**
 * `POST /v1/audio/speech`, OpenAI-compatible (`model`, `input`, `voice`, `instructions`,
 * `response_format`, `speed`, `stream_format`) plus `language` and `seed`.
 *
 * Length and emptiness of `input` are checked after parsing, not here, so that they answer
 * their own codes (413 `input_too_long`, 400 `empty_input`) rather than a generic schema error.
 */
export const SpeechRequestSchema = z.object({
  model: z.string().min(1).max(128).optional(),
  input: z.string(),
  voice: z.string().min(1).max(128).optional(),
  instructions: z.string().max(MAX_INSTRUCTIONS_CHARACTERS).optional(),
  // OpenAI defaults to mp3; this API defaults to wav until an mp3 encoder exists (see README).
  response_format: z.enum(RESPONSE_FORMATS).default('wav'),
  speed: z.number().min(0.25).max(4).default(1),
  stream_format: z.enum(['audio', 'sse']).default('audio'),
  language: LanguageCodeSchema.optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});

export type SpeechRequest = z.infer<typeof SpeechRequestSchema>;
