import { Hono, type Context, type Handler, type MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { timing } from 'hono/timing';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import type { AppEnv } from '../env.ts';
import { BODY_LIMIT_ERRORS, bodyLimit, MAX_BODY_BYTES } from '../http/body-limit.ts';
import { JSON_BODY_ERRORS } from '../http/json-body.ts';
import { CALLER_ERRORS, identifyCaller } from '../middleware/caller-auth.ts';
import { admissionStarts } from '../middleware/admission-timing.ts';
import { ADMISSION_ERRORS, type MeasuredSpeech, speechLimits } from '../middleware/limits.ts';
import { workerCallErrors } from '../pool/worker-answers.ts';
import { dropReservation, POOL_ERRORS, WorkerPool } from '../pool/worker-pool.ts';
import { VOICE_PROFILE_ERRORS } from '../voices/voice-profiles.ts';
import { SPEECH_REQUEST_ERRORS } from './errors.ts';
import { mayUseCache } from '../cache/speech-cache.ts';
import type { ApiError } from '../../shared/errors.ts';
import { checkSpeechTarget } from './resolve.ts';
import { readSpeechBody, readSpeechRequest, type SpeechRequestReader } from './speech-request.ts';

/**
 * The request's cost in characters (Unicode code points of `input`), once the input is known to
 * be valid and to name a model, voice and language the pool has, and the account's own voice it
 * names, which admission checks the account has.
 */
const measureSpeech = async (c: Context<AppEnv>): Promise<MeasuredSpeech> => {
  const { request, characters } = await readSpeechRequest(c);
  const pool = new WorkerPool(c.env);
  const model = checkSpeechTarget(c, request, await pool.models());
  // Before admission: a refused request takes no credits and no limits. One the audio cache may
  // answer goes on, and is refused only if the cache has it not (synthesize.ts): after admission,
  // its reservation given back, its rate-limit tokens spent.
  try {
    pool.shedIfSaturated(model, c.get('requestId'));
  } catch (refusal) {
    if (!mayUseCache(c.env, request.cache, model.info)) throw refusal;
    c.set('shedUnlessCached', refusal as ApiError);
  }
  const voice = request.voice ?? model.info.default_voice;
  return { characters, model: model.info.id, voice, voiceId: isCustomVoiceId(voice) ? voice : undefined };
};

/** A request that ends before it reached a worker (refused by admission, say) gives back the worker shedding reserved for it. */
const dropsReservation = createMiddleware<AppEnv>(async (c, next) => {
  try {
    await next();
  } finally {
    dropReservation(c.get('requestId'));
  }
});

/** What the chain below and a synthesis through the pool can refuse a speech request with. */
export const SPEECH_ENDPOINT_ERRORS = [
  CALLER_ERRORS,
  BODY_LIMIT_ERRORS,
  JSON_BODY_ERRORS,
  SPEECH_REQUEST_ERRORS,
  POOL_ERRORS,
  ADMISSION_ERRORS,
  VOICE_PROFILE_ERRORS,
  workerCallErrors('synthesize'),
];

/**
 * A route that takes a speech request (`SpeechRequestSchema`, or a dialect's request that `read`
 * maps onto it), behind the chain every such route runs: Server-Timing on every answer (refusals
 * included), the body limit, the key's `speech` scope (or a client token, which admission
 * checks), then admission (`speechLimits`: load shedding first, then credits reserved, limits
 * charged, `speechTicket` set).
 */
export function speechEndpoint(path: string, docs: MiddlewareHandler, handler: Handler<AppEnv>, read: SpeechRequestReader = readSpeechBody): Hono<AppEnv> {
  const useReader = createMiddleware<AppEnv>(async (c, next) => {
    c.set('speechRequestReader', read);
    await next();
  });
  return new Hono<AppEnv>().post(
    path,
    docs,
    useReader,
    timing({ total: false }),
    admissionStarts,
    bodyLimit(MAX_BODY_BYTES.speech),
    identifyCaller(['speech']),
    dropsReservation,
    speechLimits(measureSpeech),
    handler,
  );
}
