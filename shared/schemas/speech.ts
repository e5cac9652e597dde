import { z } from 'zod';
import { DictionaryLocatorsSchema } from './pronunciation.ts';
import { BITRATE_FORMATS, OUTPUT_SAMPLE_RATE, RESPONSE_FORMATS, type ResponseFormat, SAMPLE_RATES } from '../audio/formats.ts';

// Defined beside their specs in formats.ts; re-exported here because a request names them.
export { isResponseFormat, RESPONSE_FORMATS, type ResponseFormat } from '../audio/formats.ts';

/** OpenAI's limit too, so that clients written for it keep working. Longer input answers 413. */
export const MAX_INPUT_CHARACTERS = 4096;
export const MAX_INSTRUCTIONS_CHARACTERS = 4096;
/** SSML input: its markup and text together, in code points (the text alone is held to MAX_INPUT_CHARACTERS). */
export const MAX_SSML_CHARACTERS = 4 * MAX_INPUT_CHARACTERS;

export const INPUT_FORMATS = ['text', 'ssml'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** OpenAI's default, so that code written for it gets what it expects (`DEFAULT_RESPONSE_FORMAT` changes it). */
export const DEFAULT_RESPONSE_FORMAT: ResponseFormat = 'mp3';

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
 * `response_format`, `speed`, `stream_format`) plus `language`, `sample_rate`, `bitrate` and `seed`.
 *
 * Length and emptiness of `input` are checked after parsing, not here, so that they answer
 * their own codes (413 `input_too_long`, 400 `empty_input`) rather than a generic schema error.
 * `response_format` has no default here: the deployment's `DEFAULT_RESPONSE_FORMAT` applies.
 */
/** Whether a request may be served from (and stored in) the audio cache; absent: `auto`. */
export const CacheModeSchema = z.enum(['auto', 'off']);
export type CacheMode = z.infer<typeof CacheModeSchema>;

export const SpeechRequestSchema = z.object({
  model: z.string().min(1).max(128).optional().describe("A model from `GET /v1/models`, or OpenAI's `tts-1`, `tts-1-hd`, `gpt-4o-mini-tts`. Default: the deployment's."),
  input: z.string().describe(`The text: 1 to ${MAX_INPUT_CHARACTERS} characters (Unicode code points).`),
  voice: z.string().min(1).max(128).optional().describe("A voice id from `GET /v1/voices`, or an OpenAI voice name (`alloy`, …). Default: the model's."),
  instructions: z.string().max(MAX_INSTRUCTIONS_CHARACTERS).optional().describe('How to speak, for models whose capabilities include `instructions`.'),
  response_format: z.enum(RESPONSE_FORMATS).optional().describe("Default: the deployment's (`mp3` unless configured)."),
  /** Which rates a format offers is in shared/audio/formats.ts. */
  sample_rate: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`Hz: ${SAMPLE_RATES.join(', ')} as the format offers; default ${OUTPUT_SAMPLE_RATE} (8000 for \`mulaw\` and \`alaw\`).`),
  /** Which bitrates a format offers at a rate is in shared/audio/formats.ts. */
  bitrate: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      `Bits per second, for ${BITRATE_FORMATS.map((format) => `\`${format}\``).join(', ')} (an extension of OpenAI's API): one the format has at the sample rate, such as 32000, 64000, 128000 or 192000. \`mp3\` (constant bitrate): 32000 to 320000 at 32 kHz and above, 8000 to 160000 at 16 to 24 kHz, 8000 to 64000 at 8 kHz. \`opus\`: 16000 to 256000. \`aac\`: 16000 to 192000, from half a bit to 4 bits a sample. \`opus\` and \`aac\` spend that on average, less on audio that needs less. Another answers 400 \`unsupported_bitrate\` listing those the format has at the rate. Default: \`mp3\` 64000 (32000 at 16 kHz and below), \`opus\` 32000, \`aac\` 64000 (32000 at 8 kHz).`
    ),
  speed: z.number().min(0.25).max(4).default(1),
  stream_format: z.enum(['audio', 'sse']).default('audio').describe('`audio`: the raw audio stream. `sse`: server-sent events carrying it.'),
  language: LanguageCodeSchema.optional().describe('Default: detected from the text, sentence by sentence.'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional()
    .describe('For models whose capabilities include `seed`: the same seed, the same audio. Default: a seed made from the request itself, so the same request is the same audio (and can be served from the audio cache); send your own to get another take.'),
  input_format: z
    .enum(INPUT_FORMATS)
    .optional()
    .describe('`ssml`: `input` is SSML (docs/pronunciation.md lists the elements). Default: `ssml` when `input` starts with `<speak` or `<?xml`, else `text`.'),
  pronunciation_dictionaries: DictionaryLocatorsSchema.optional(),
  cache: CacheModeSchema.optional().describe('`auto`: audio already rendered for the same request is served from the audio cache (`x-tts-cache: hit`), and a new rendering is stored; `off`: neither (docs/cache.md).'),
});

export type SpeechRequest = z.infer<typeof SpeechRequestSchema>;
