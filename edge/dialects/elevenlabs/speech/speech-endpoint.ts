import { type Context, type Handler, Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { invalidRequest } from '../../../../shared/errors.ts';
import { LanguageCodeSchema, type SpeechRequest, SpeechRequestSchema } from '../../../../shared/schemas/speech.ts';
import { isCustomVoiceId } from '../../../../shared/schemas/voice-profile.ts';
import { edgeConfig } from '../../../config/edge-config.ts';
import type { AppEnv } from '../../../env.ts';
import { MAX_BODY_BYTES } from '../../../http/body-limit.ts';
import { readJsonBody } from '../../../http/json-body.ts';
import { speechEvents } from '../../../middleware/speech-events.ts';
import { documentHeaders, errorCatalogue } from '../../../openapi/index.ts';
import { SPEECH_RESPONSE_HEADERS } from '../../../speech/speech-docs.ts';
import { type PoolModel, WorkerPool } from '../../../pool/worker-pool.ts';
import { defaultModelId } from '../../../speech/resolve.ts';
import { SPEECH_ENDPOINT_ERRORS, speechEndpoint } from '../../../speech/speech-endpoint.ts';
import { speechHeaders, type Synthesis } from '../../../speech/synthesis.ts';
import { dictionaryLocators, ElevenLabsLocatorsSchema } from './dictionary-locators.ts';
import type { CacheStatus } from '../../../cache/cache-status.ts';
import { ELEVENLABS_OUTPUT_FORMATS, parseOutputFormat } from './output-format.ts';

/**
 * ElevenLabs' text-to-speech request (`POST /v1/text-to-speech/{voice_id}` and its variants)
 * read as the core's `SpeechRequest`: from there the same checks, admission, synthesis and
 * metering as `POST /v1/audio/speech`. What ElevenLabs has and we do not is accepted and ignored
 * where ignoring it changes nothing a client relies on (each field's description says which);
 * unknown fields are ignored, as ElevenLabs ignores them. Optional fields may be null.
 */

const ACCEPTED = 'Accepted and ignored.';

const VoiceSettingsSchema = z
  .object({
    speed: SpeechRequestSchema.shape.speed.unwrap().nullish().describe('Applied: 1 is normal speed (0.25 to 4 here; ElevenLabs takes 0.7 to 1.2).'),
    stability: z.number().nullish().describe(`${ACCEPTED} No served model has a stability control.`),
    similarity_boost: z.number().nullish().describe(`${ACCEPTED} A cloned voice is always as close as its model makes it.`),
    style: z.number().nullish().describe(`${ACCEPTED} No served model exaggerates style by a number.`),
    use_speaker_boost: z.boolean().nullish().describe(ACCEPTED),
  })
  .describe('Of these, `speed` is applied.');

/** Effects change the audio, and none is offered: asking for one is refused rather than ignored. */
const AudioEffectsSchema = z
  .object({
    filter_preset_id: z.string().nullish(),
    distance: z.number().nullish(),
    environment_id: z.string().nullish(),
    background_noise_id: z.string().nullish(),
    send_level: z.number().nullish(),
    pan: z.number().nullish(),
    seed: z.number().nullish(),
  })
  .describe('No audio effects are offered: accepted only when it asks for none (no ids, `distance` and `pan` 0); otherwise 400 `invalid_parameter`.');

export const ElevenLabsSpeechBodySchema = z
  .object({
    text: SpeechRequestSchema.shape.input.describe('The text: 1 to 4096 characters (Unicode code points).'),
    model_id: z
      .string()
      .min(1)
      .max(128)
      .nullish()
      .describe(
        "An ElevenLabs model id (`eleven_multilingual_v2`, `eleven_flash_v2_5`, ...), which stands for a served model (`ELEVENLABS_MODELS`: of the served models it prefers, one that can speak the voice), or a served model's id as it is. Default: the deployment's model, or when it cannot speak the voice, the first served one that can. `GET /elevenlabs/v1/models` lists both.",
      ),
    language_code: LanguageCodeSchema.nullish().describe("The language to speak (ISO 639-1). One the model does not speak is 422 `unsupported_language`. Default: detected from the text, sentence by sentence."),
    voice_settings: VoiceSettingsSchema.nullish(),
    pronunciation_dictionary_locators: ElevenLabsLocatorsSchema.nullish(),
    seed: SpeechRequestSchema.shape.seed.nullish().describe('For models whose capabilities include `seed`: the same seed, the same audio.'),
    previous_text: z.string().nullish().describe(ACCEPTED),
    next_text: z.string().nullish().describe(ACCEPTED),
    previous_request_ids: z.array(z.string()).max(3).nullish().describe(ACCEPTED),
    next_request_ids: z.array(z.string()).max(3).nullish().describe(ACCEPTED),
    use_pvc_as_ivc: z.boolean().nullish().describe(`${ACCEPTED} Every voice here is an instant clone.`),
    apply_text_normalization: z.enum(['auto', 'on', 'off']).nullish().describe(`${ACCEPTED} The engine reads numbers and abbreviations its own way.`),
    apply_language_text_normalization: z.boolean().nullish().describe(ACCEPTED),
    audio_effects: AudioEffectsSchema.nullish(),
  })
  .meta({ id: 'ElevenLabsSpeechRequest' });
type ElevenLabsSpeechBody = z.infer<typeof ElevenLabsSpeechBodySchema>;

/** The query, documented; only `output_format` is read. */
export const ElevenLabsSpeechQuerySchema = z.object({
  output_format: z
    .enum(ELEVENLABS_OUTPUT_FORMATS)
    .optional()
    .describe('`codec_rate[_kbps]`: the format, sample rate and bitrate, all honoured (`ulaw_8000` is G.711 mu-law). Default `mp3_44100_128`. Another is 400 `unsupported_output_format`, listing these.'),
  optimize_streaming_latency: z.string().optional().describe(`${ACCEPTED} Audio streams as it is made at any setting.`),
  enable_logging: z.string().optional().describe(`${ACCEPTED} The server keeps no text and no audio of a request either way (its ledger keeps counts).`),
});

/** The query's parameters as the OpenAPI document lists them. */
export const QUERY_PARAMETERS = Object.entries(z.toJSONSchema(ElevenLabsSpeechQuerySchema).properties ?? {}).map(([name, schema]) => ({
  in: 'query' as const,
  name,
  required: false,
  schema: schema as object,
  description: (schema as { description?: string }).description,
}));

/** The `{voice_id}` of the path. */
export const VOICE_ID_PARAMETER = {
  in: 'path',
  name: 'voice_id',
  required: true,
  schema: { type: 'string' },
  description: 'A preset id (`GET /elevenlabs/v1/voices`), or one of the account\'s own voices (`voice_…`), made through either dialect. An unknown one is 404 `voice_not_found`.',
} as const;

/** What a dialect's speech route may refuse with: the core's refusals, and an `output_format` not offered. */
export const ELEVENLABS_SPEECH_ERRORS = [...SPEECH_ENDPOINT_ERRORS, errorCatalogue({ 400: ['unsupported_output_format'] })];

function refuseAudioEffects(effects: ElevenLabsSpeechBody['audio_effects']): void {
  if (!effects) return;
  const asked = Object.entries({ ...effects, seed: undefined, send_level: undefined }).find(([, value]) => value !== undefined && value !== null && value !== 0 && value !== '');
  if (asked) throw invalidRequest('invalid_parameter', `audio_effects.${asked[0]}: this server offers no audio effects.`, `audio_effects.${asked[0]}`);
}

/**
 * Whether `model` can speak `voice`: a preset it has, or an account's voice it clones (`full`ly,
 * or at all when `cloning` is `approximate`: espeak only picks a preset near it).
 */
const speaks = (model: PoolModel | undefined, voice: string, cloning: 'full' | 'approximate') => {
  if (model === undefined) return false;
  const { clone } = model.info.capabilities;
  return isCustomVoiceId(voice) ? clone === 'full' || (cloning === 'approximate' && clone !== 'none') : model.info.voices.some((preset) => preset.id === voice);
};

/**
 * The served model to speak with. ElevenLabs' voices speak with any of its models, where each
 * preset here belongs to a model: so an ElevenLabs model id, or no model at all, takes a model
 * that can speak the voice when one is served (for an account's voice, one that clones it fully
 * when one does). A served model's id is taken as it is.
 */
export async function modelFor(c: Context<AppEnv>, named: string | undefined, voice: string): Promise<string | undefined> {
  const models = await new WorkerPool(c.env).models();
  const fallback = defaultModelId(c.env, models);
  const cloning = [...models.values()].some((model) => model.info.capabilities.clone === 'full') ? 'full' : 'approximate';
  const fits = (id: string) => speaks(models.get(id), voice, cloning);
  if (named === undefined) return fits(fallback) ? undefined : [...models.keys()].find(fits);
  return edgeConfig(c.env).elevenLabsModels.model(named, [...models.keys()], fallback, fits) ?? named;
}

/** Reads ElevenLabs' body, query and `{voice_id}` as the core's `SpeechRequest`. */
export async function readElevenLabsSpeech(c: Context<AppEnv>): Promise<SpeechRequest> {
  const output = parseOutputFormat(c.req.query('output_format'));
  const body = await readJsonBody(c, ElevenLabsSpeechBodySchema, MAX_BODY_BYTES.speech);
  refuseAudioEffects(body.audio_effects);
  const voice = c.req.param('voice_id')!;
  const model = await modelFor(c, body.model_id ?? undefined, voice);
  return {
    ...(model === undefined ? {} : { model }),
    input: body.text,
    voice,
    ...output,
    speed: body.voice_settings?.speed ?? 1,
    stream_format: 'audio',
    ...(body.language_code ? { language: body.language_code } : {}),
    ...(body.seed === undefined || body.seed === null ? {} : { seed: body.seed }),
    ...dictionaries(body.pronunciation_dictionary_locators),
  };
}

const dictionaries = (locators: ElevenLabsSpeechBody['pronunciation_dictionary_locators']) => {
  const named = dictionaryLocators(locators, 'pronunciation_dictionary_locators');
  return named ? { pronunciation_dictionaries: named } : {};
};

/**
 * A speech route of the dialect: the core's speech endpoint with ElevenLabs' request (its
 * refusals name ElevenLabs' fields: errors.ts), and a speech event per request as ours have.
 */
export function elevenLabsSpeechEndpoint(path: string, docs: MiddlewareHandler, handler: Handler<AppEnv>): Hono<AppEnv> {
  return new Hono<AppEnv>().post(path, speechEvents).route('/', speechEndpoint(path, docs, handler, readElevenLabsSpeech));
}

/** The headers of a speech answer as the OpenAPI document lists them: ours, then ElevenLabs' own. */
export const ELEVENLABS_SPEECH_RESPONSE_HEADERS = {
  ...SPEECH_RESPONSE_HEADERS,
  ...documentHeaders({ 'request-id': 'ElevenLabs\' name for `x-request-id`: the same id.', 'character-cost': 'The characters the request is charged (one credit each).' }),
};

/**
 * The headers of a speech answer, ours (`x-request-id`, `x-tts-*`, limits) and ElevenLabs' own:
 * `request-id` and `character-cost` (the characters charged, one credit each).
 */
export function elevenLabsSpeechHeaders(c: Context<AppEnv>, synthesis: Synthesis, cache: CacheStatus): Headers {
  const headers = speechHeaders(c, synthesis, cache);
  headers.set('request-id', c.get('requestId'));
  headers.set('character-cost', String(synthesis.characters));
  return headers;
}
