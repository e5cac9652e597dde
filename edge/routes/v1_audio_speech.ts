import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { bodyLimit } from 'hono/body-limit';
import { endTime, setMetric, startTime, timing } from 'hono/timing';
import { createMiddleware } from 'hono/factory';
import { FORMATS } from '../../shared/audio/formats.ts';
import { ApiError } from '../../shared/errors.ts';
import { AUDIO_HEADERS, WORKER_TIMINGS, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { parseServerTiming } from '../../shared/protocol/server-timing.ts';
import { SpeechRequestSchema } from '../../shared/schemas/speech.ts';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import type { AppEnv } from '../env.ts';
import { JSON_BODY_ERRORS } from '../http/json-body.ts';
import { audioToSse, SpeechStreamEventSchema } from '../http/sse-audio.ts';
import { API_KEY_ERRORS, identifyApiKey } from '../middleware/api-key-auth.ts';
import { ADMISSION_ERRORS, LIMIT_HEADERS, speechLimits } from '../middleware/limits.ts';
import { apiKeySecurity, documentHeaders, errorCatalogue, errorResponses, REQUEST_ID_HEADERS, requestBody, responseSchema } from '../openapi/index.ts';
import { forwardedError, workerCallErrors } from '../pool/worker-answers.ts';
import { POOL_ERRORS, WorkerPool } from '../pool/worker-pool.ts';
import { SPEECH_REQUEST_ERRORS } from '../speech/errors.ts';
import { checkSpeechTarget, resolveSpeech } from '../speech/resolve.ts';
import { readSpeechRequest } from '../speech/speech-request.ts';
import { VOICE_PROFILE_ERRORS } from '../voices/voice-profiles.ts';

const randomSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]!;

/** `POST /v1/audio/speech`: text in, an audio stream out, OpenAI-compatible. */
export const speechRoute = new Hono<AppEnv>();

// Input is at most 4,096 characters of up to 4 bytes, plus instructions: 64 KiB is ample.
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The request's cost in characters (Unicode code points of `input`), once the input is known to
 * be valid and to name a model, voice and language the pool has, and the account's own voice it
 * names, which admission checks the account has.
 */
const measureSpeech = async (c: Parameters<typeof readSpeechRequest>[0]) => {
  const { request, characters } = await readSpeechRequest(c);
  checkSpeechTarget(c, request, await new WorkerPool(c.env).models());
  return { characters, voiceId: request.voice && isCustomVoiceId(request.voice) ? request.voice : undefined };
};

/** `Server-Timing: admission`: from the request's arrival until it is admitted and checked. */
const ADMISSION = 'admission';
const admissionStarts = createMiddleware<AppEnv>(async (c, next) => {
  startTime(c, ADMISSION, 'Edge: key, limits, credits and request checks');
  await next();
});

/** What each of AUDIO_HEADERS says (keyed the same way, so a new header needs its description). */
const AUDIO_HEADER_DESCRIPTIONS: Record<keyof typeof AUDIO_HEADERS, string> = {
  model: 'The model that speaks (an OpenAI name resolved to a served model).',
  voice: 'The voice that speaks.',
  language: 'The language spoken (the first, when detected).',
  detectedLanguages: 'When the language came from the text: the languages spoken, in order (`en,de`).',
  sampleRate: 'Hz.',
  format: 'With `stream_format: "sse"`: the audio format inside the events.',
};
const audioHeaders = Object.entries(AUDIO_HEADERS).map(([key, name]) => [name, AUDIO_HEADER_DESCRIPTIONS[key as keyof typeof AUDIO_HEADERS]]);
const serverTiming = `\`${ADMISSION}\` (the edge: key, limits, credits, checks), \`${WORKER_TIMINGS.queue}\` (waiting for a slot on the worker) and \`${WORKER_TIMINGS.firstAudio}\` (the worker: arrival to first audio), ms.`;

/** The 200: the audio in the type of its `response_format`, or server-sent events. */
const speechStream = {
  description: 'The audio, streamed as the model makes it: the bytes received so far always decode from the start.',
  headers: { ...REQUEST_ID_HEADERS, ...documentHeaders({ ...Object.fromEntries(audioHeaders), 'server-timing': serverTiming }), ...LIMIT_HEADERS },
  content: {
    ...Object.fromEntries(
      Object.entries(FORMATS).map(([format, { contentType }]) => [contentType, { schema: { type: 'string', format: 'binary', description: `\`response_format: "${format}"\`` } }]),
    ),
    'text/event-stream': { schema: responseSchema(SpeechStreamEventSchema) },
  },
};

const BODY_LIMIT_ERRORS = errorCatalogue({ 413: ['body_too_large'] });

const speechDocs = describeRoute({
  tags: ['Speech'],
  operationId: 'createSpeech',
  summary: 'Create speech',
  description: "Text in, a stream of audio out, OpenAI-compatible. `stream_format: \"sse\"` frames the audio as OpenAI's server-sent events, which end with `speech.audio.done`, or with an `error` event when a worker fails mid-stream.",
  security: apiKeySecurity('speech'),
  requestBody: requestBody(SpeechRequestSchema),
  responses: {
    200: speechStream,
    ...errorResponses(
      API_KEY_ERRORS,
      BODY_LIMIT_ERRORS,
      JSON_BODY_ERRORS,
      SPEECH_REQUEST_ERRORS,
      POOL_ERRORS,
      ADMISSION_ERRORS,
      VOICE_PROFILE_ERRORS,
      workerCallErrors('synthesize'),
    ),
  },
});

speechRoute.post(
  '/v1/audio/speech',
  speechDocs,
  // Server-Timing on every answer: the edge's admission, then the worker's queue wait and first audio.
  timing({ total: false }),
  admissionStarts,
  bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => { throw new ApiError(413, 'invalid_request_error', 'body_too_large', `The request body is over ${MAX_BODY_BYTES} bytes.`); } }),
  identifyApiKey('speech'),
  speechLimits(measureSpeech),
  async (c) => {
    const { request, format, sampleRate, characters } = await readSpeechRequest(c);
    const pool = new WorkerPool(c.env);
    const models = await pool.models();
    const { model, voiceId, voiceProfile, language, segments, detected } = await resolveSpeech(c, request, pool, models);
    const admissionMs = performance.now() - (c.get('metric')?.timers.get(ADMISSION)?.start ?? performance.now());
    endTime(c, ADMISSION);

    const workerRequest: WorkerSynthesisRequest = {
      request_id: c.get('requestId'),
      model: model.info.id,
      voice: voiceId,
      ...(voiceProfile ? { voice_profile: voiceProfile } : {}),
      language,
      ...(segments ? { segments } : {}),
      input: request.input,
      response_format: format,
      sample_rate: sampleRate,
      speed: request.speed,
      ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
      // A seed even when the client gave none, so a stream resumed on another worker is the same audio.
      ...(request.seed !== undefined ? { seed: request.seed } : model.info.capabilities.seed ? { seed: randomSeed() } : {}),
    };
    const upstream = await pool.synthesize(model, workerRequest, c.req.raw.signal, ({ atByte }) =>
      console.warn(JSON.stringify({ level: 'warn', request_id: workerRequest.request_id, message: 'stream resumed on another worker', at_byte: atByte })),
    );
    if (!upstream.ok || !upstream.body) throw forwardedError(upstream.status, await upstream.json().catch(() => null), 'speech');
    const workerTimings = parseServerTiming(upstream.headers.get('server-timing'));
    const timings = { admission_ms: admissionMs, queue_ms: workerTimings[WORKER_TIMINGS.queue] ?? 0, first_audio_ms: workerTimings[WORKER_TIMINGS.firstAudio] ?? 0 };
    setMetric(c, WORKER_TIMINGS.queue, timings.queue_ms, 'Worker: waiting for a synthesis slot');
    setMetric(c, WORKER_TIMINGS.firstAudio, timings.first_audio_ms, 'Worker: from arrival to first audio');

    const sse = request.stream_format === 'sse';
    const headers = new Headers({
      'content-type': sse ? 'text/event-stream' : FORMATS[format].contentType,
      'cache-control': 'no-store',
      [AUDIO_HEADERS.model]: model.info.id,
      [AUDIO_HEADERS.voice]: voiceId,
      [AUDIO_HEADERS.language]: language,
      [AUDIO_HEADERS.sampleRate]: String(sampleRate),
      'x-request-id': c.get('requestId'),
    });
    if (detected) headers.set(AUDIO_HEADERS.detectedLanguages, detected.join(','));
    const body = c.get('speechTicket').meter(upstream.body, { model: model.info.id, voice: voiceId, language, format, sampleRate, speed: request.speed });
    if (!sse) return new Response(body, { status: 200, headers });
    headers.set(AUDIO_HEADERS.format, format);
    const events = audioToSse(body, {
      inputCharacters: characters,
      timings,
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
