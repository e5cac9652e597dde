import { z } from 'zod';

/** OpenAI's limit too, so that clients written for it keep working. Longer input answers 413. */
export const MAX_INPUT_CHARACTERS = 4096;
export const MAX_INSTRUCTIONS_CHARACTERS = 4096;

/** Every format the API speaks: OpenAI's set plus telephony's G.711 mu-law and A-law. */
export const RESPONSE_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm', 'mulaw', 'alaw'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** OpenAI's default, so that code written for it gets what it expects (`DEFAULT_RESPONSE_FORMAT` changes it). */
export const DEFAULT_RESPONSE_FORMAT: ResponseFormat = 'mp3';

export function isResponseFormat(value: string): value is ResponseFormat {
  return (RESPONSE_FORMATS as readonly string[]).includes(value);
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
 * `response_format`, `speed`, `stream_format`) plus `language`, `sample_rate` and `seed`.
 *
 * Length and emptiness of `input` are checked after parsing, not here, so that they answer
 * their own codes (413 `input_too_long`, 400 `empty_input`) rather than a generic schema error.
 * `response_format` has no default here: the deployment's `DEFAULT_RESPONSE_FORMAT` applies.
 */
export const SpeechRequestSchema = z.object({
  model: z.string().min(1).max(128).optional(),
  input: z.string(),
  voice: z.string().min(1).max(128).optional(),
  instructions: z.string().max(MAX_INSTRUCTIONS_CHARACTERS).optional(),
  response_format: z.enum(RESPONSE_FORMATS).optional(),
  /** Output rate in Hz; which rates a format offers is in shared/audio/formats.ts. */
  sample_rate: z.number().int().positive().optional(),
  speed: z.number().min(0.25).max(4).default(1),
  stream_format: z.enum(['audio', 'sse']).default('audio'),
  /** Omitted: detected from the text, sentence by sentence. */
  language: LanguageCodeSchema.optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});

export type SpeechRequest = z.infer<typeof SpeechRequestSchema>;
