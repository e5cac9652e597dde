import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { CONTENT_TYPES, OUTPUT_SAMPLE_RATE } from '../../shared/audio/formats.ts';
import { AUDIO_HEADERS, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import {
  isSupportedFormat,
  MAX_INPUT_CHARACTERS,
  SpeechRequestSchema,
  SUPPORTED_RESPONSE_FORMATS,
  type SpeechRequest,
} from '../../shared/schemas/speech.ts';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import type { AppEnv } from '../env.ts';
import { readJsonBody } from '../http/json-body.ts';
import { audioToSse } from '../http/sse-audio.ts';
import { identifyApiKey } from '../middleware/api-key-auth.ts';
import { speechLimits } from '../middleware/limits.ts';
import { type PoolModel, WorkerPool } from '../pool/worker-pool.ts';
import { voiceProfileFor } from '../voices/voice-profiles.ts';

const randomSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]!;

/** `POST /v1/audio/speech`: text in, an audio stream out, OpenAI-compatible. */
export const speechRoute = new Hono<AppEnv>();

// Input is at most 4,096 characters of up to 4 bytes, plus instructions: 64 KiB is ample.
const MAX_BODY_BYTES = 64 * 1024;

const modelNotFound = (id: string, models: Map<string, PoolModel>) =>
  new ApiError(404, 'not_found_error', 'model_not_found', `Model "${id}" does not exist. Available: ${[...models.keys()].join(', ')}.`, {
    param: 'model',
  });

const voiceNotFound = (id: string, model: PoolModel) =>
  new ApiError(
    404,
    'not_found_error',
    'voice_not_found',
    `Voice "${id}" does not exist for model "${model.info.id}". GET /v1/voices lists the voices.`,
    { param: 'voice' },
  );

const unsupportedLanguage = (language: string, model: PoolModel, models: Map<string, PoolModel>) => {
  const others = [...models.values()].filter((m) => m.info.languages.includes(language)).map((m) => m.info.id);
  const hint = others.length ? `Models that speak it: ${others.join(', ')}.` : 'No model in this deployment speaks it.';
  return new ApiError(
    422,
    'invalid_request_error',
    'unsupported_language',
    `Model "${model.info.id}" does not speak "${language}" (it speaks ${model.info.languages.join(', ')}). ${hint}`,
    { param: 'language' },
  );
};

/** Checks what the schema cannot and needs no worker: emptiness, length, formats. */
function checkInput(request: SpeechRequest) {
  const characters = [...request.input].length;
  if (request.input.trim().length === 0) throw invalidRequest('empty_input', 'input must contain text to speak.', 'input');
  if (characters > MAX_INPUT_CHARACTERS) {
    throw new ApiError(
      413,
      'invalid_request_error',
      'input_too_long',
      `input has ${characters} characters; the maximum is ${MAX_INPUT_CHARACTERS}. Split longer text into several requests.`,
      { param: 'input' },
    );
  }
  const format = request.response_format;
  if (!isSupportedFormat(format)) {
    throw invalidRequest(
      'unsupported_format',
      `response_format "${format}" is not available yet; use one of: ${SUPPORTED_RESPONSE_FORMATS.join(', ')}.`,
      'response_format',
    );
  }
  return { format, characters };
}

function resolveModel(request: SpeechRequest, models: Map<string, PoolModel>, defaultModel: string | undefined): PoolModel {
  const modelId = request.model ?? (defaultModel && models.has(defaultModel) ? defaultModel : models.keys().next().value!);
  const model = models.get(modelId);
  if (!model) throw modelNotFound(modelId, models);
  return model;
}

function checkLanguage(language: string, model: PoolModel, models: Map<string, PoolModel>): string {
  if (!model.info.languages.includes(language)) throw unsupportedLanguage(language, model, models);
  return language;
}

/**
 * Resolves model, voice and language against what the pool serves. An account's own voice (the
 * account's object admitted it, at `voiceVersion`) comes with its profile for the model, which
 * the worker receives with the request.
 */
async function resolve(c: Context<AppEnv>, request: SpeechRequest, pool: WorkerPool, models: Map<string, PoolModel>) {
  const model = resolveModel(request, models, c.env.DEFAULT_MODEL);
  const voiceId = request.voice ?? model.info.default_voice;
  const voiceVersion = c.get('speechTicket').voiceVersion;
  if (isCustomVoiceId(voiceId) && voiceVersion !== undefined) {
    const { record, profile } = await voiceProfileFor(
      c.env,
      pool,
      models,
      { accountId: c.get('apiKey').account_id, id: voiceId, version: voiceVersion },
      model,
      { requestId: c.get('requestId'), signal: c.req.raw.signal },
    );
    const language = checkLanguage(request.language ?? record.language ?? model.info.voices[0]?.language ?? 'en', model, models);
    return { model, voiceId, language, voiceProfile: { id: voiceId, version: voiceVersion, profile } };
  }
  const voice = model.info.voices.find((v) => v.id === voiceId);
  if (!voice) throw voiceNotFound(voiceId, model);
  return { model, voiceId, language: checkLanguage(request.language ?? voice.language, model, models), voiceProfile: undefined };
}

// The body is read and checked once per request: by the limits middleware, which needs its size,
// and the handler then takes the same result.
const checkedBodies = new WeakMap<Request, Promise<{ request: SpeechRequest } & ReturnType<typeof checkInput>>>();
function readSpeechRequest(c: Context<AppEnv>) {
  let checked = checkedBodies.get(c.req.raw);
  if (!checked) {
    checked = readJsonBody(c, SpeechRequestSchema).then((request) => ({ request, ...checkInput(request) }));
    checkedBodies.set(c.req.raw, checked);
  }
  return checked;
}

/**
 * The request's cost in characters (Unicode code points of `input`), once the input is known to
 * be valid, and the account's own voice it names, which admission checks the account has.
 */
const measureSpeech = async (c: Context<AppEnv>) => {
  const { request, characters } = await readSpeechRequest(c);
  return { characters, voiceId: request.voice && isCustomVoiceId(request.voice) ? request.voice : undefined };
};

speechRoute.post(
  '/v1/audio/speech',
  bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ApiError(413, 'invalid_request_error', 'body_too_large', `The request body is over ${MAX_BODY_BYTES} bytes.`); } }),
  identifyApiKey('speech'),
  speechLimits(measureSpeech),
  async (c) => {
    const { request, format, characters } = await readSpeechRequest(c);
    const pool = new WorkerPool(c.env);
    const models = await pool.models();
    const { model, voiceId, language, voiceProfile } = await resolve(c, request, pool, models);

    const workerRequest: WorkerSynthesisRequest = {
      request_id: c.get('requestId'),
      model: model.info.id,
      voice: voiceId,
      ...(voiceProfile ? { voice_profile: voiceProfile } : {}),
      language,
      input: request.input,
      response_format: format,
      speed: request.speed,
      ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
      // A seed even when the client gave none, so a stream resumed on another worker is the same audio.
      ...(request.seed !== undefined ? { seed: request.seed } : model.info.capabilities.seed ? { seed: randomSeed() } : {}),
    };
    const upstream = await pool.synthesize(model, workerRequest, c.req.raw.signal, ({ atSample }) =>
      console.warn(JSON.stringify({ level: 'warn', request_id: workerRequest.request_id, message: 'stream resumed on another worker', at_sample: atSample })),
    );
    if (!upstream.ok || !upstream.body) {
      const body = await upstream.json().catch(() => null);
      throw (
        ApiError.fromBody(upstream.status, body) ??
        new ApiError(502, 'internal_error', 'worker_error', `The speech worker answered ${upstream.status}.`)
      );
    }

    const sse = request.stream_format === 'sse';
    const headers = new Headers({
      'content-type': sse ? 'text/event-stream' : CONTENT_TYPES[format],
      'cache-control': 'no-store',
      [AUDIO_HEADERS.model]: model.info.id,
      [AUDIO_HEADERS.voice]: voiceId,
      [AUDIO_HEADERS.language]: language,
      'x-request-id': c.get('requestId'),
    });
    const sampleRate = upstream.headers.get(AUDIO_HEADERS.sampleRate);
    if (sampleRate) headers.set(AUDIO_HEADERS.sampleRate, sampleRate);
    const body = c.get('speechTicket').meter(upstream.body, {
      model: model.info.id,
      voice: voiceId,
      language,
      format,
      sampleRate: Number(sampleRate) || OUTPUT_SAMPLE_RATE,
      speed: request.speed,
    });
    if (!sse) return new Response(body, { status: 200, headers });
    headers.set(AUDIO_HEADERS.format, format);
    const events = audioToSse(body, {
      inputCharacters: characters,
      describeFailure: () => ({
        type: 'service_unavailable',
        code: 'worker_failed',
        message: 'The speech worker failed mid-stream: the audio above is all there is, and only it is charged.',
      }),
    });
    // `encodeBody: 'manual'` with no content-encoding: workerd neither compresses nor buffers the events.
    return new Response(events, { status: 200, headers, encodeBody: 'manual' });
  },
);
