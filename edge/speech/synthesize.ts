import type { Context } from 'hono';
import type { TimedAudioEnd, WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import type { AppEnv } from '../env.ts';
import { splitTimedAudio, type SplitTimedAudio } from '../http/timed-audio-split.ts';
import { readWholeTimedAudio } from '../http/whole-timed-audio.ts';
import { speechAdmitted } from '../middleware/limits.ts';
import { forwardedError } from '../pool/worker-answers.ts';
import { SpeechCache, type Found } from '../cache/speech-cache.ts';
import type { CacheStatus } from '../cache/cache-status.ts';
import { PLAIN, type RenderingKind, TIMED } from '../cache/rendering-kinds.ts';
import { logResume, type Synthesis, cacheTimings, synthesisTimings } from './synthesis.ts';
import { workerFailed } from './worker-failed.ts';

/**
 * The three ways an admitted speech request is spoken through the audio cache and the pool, shared
 * by every route that speaks (OpenAI-shaped and dialects alike), so caching, failover, timings and
 * metering are the same whatever shape the answer takes. Each throws the worker's refusal before
 * any audio is sent, and says what the cache did (`cache`: the route's `x-tts-cache`).
 */

type Timings = ReturnType<typeof synthesisTimings>;

/**
 * Sends the worker its request and waits for the request's admission beside it (it may still be
 * pending: middleware/limits.ts), so the account's object and the worker's first audio take
 * their time together. Nothing of the worker's answer is used before admission: a refusal
 * cancels the worker's request (or its answer) and is what the client hears, whatever the worker said.
 */
async function admittedAnswer<T>(c: Context<AppEnv>, send: (signal: AbortSignal) => Promise<T>, discard: (answer: T) => unknown): Promise<T> {
  const refused = new AbortController();
  const answer = send(AbortSignal.any([c.req.raw.signal, refused.signal]));
  answer.catch(() => {}); // awaited below, once admission is known
  try {
    await speechAdmitted(c);
  } catch (refusal) {
    refused.abort(refusal);
    await answer.then(discard, () => {});
    throw refusal;
  }
  return answer;
}

/**
 * The request's answer from the cache or the pool (`render`), looked up or rendered beside its
 * admission; once admitted, the account's cache setting applies and a miss is recorded behind the
 * client (edge/cache/speech-cache.ts).
 */
async function cachedAnswer<T>(c: Context<AppEnv>, synthesis: Synthesis, kind: RenderingKind<T>, render: (signal: AbortSignal) => Promise<T>): Promise<Found<T>> {
  const cache = new SpeechCache(c.env, (promise) => c.executionCtx.waitUntil(promise), {
    accountId: c.get('caller').accountId,
    mode: synthesis.request.cache,
    model: synthesis.model.info,
    workerRequest: synthesis.workerRequest,
    dictionaries: synthesis.dictionaries,
  });
  // A request the pool was too busy for gets a worker only if the cache has it not: it is refused instead.
  const shed = c.get('shedUnlessCached');
  const renderUnlessShed = (signal: AbortSignal) => (shed ? Promise.reject(shed) : render(signal));
  let signal!: AbortSignal;
  const found = await admittedAnswer(
    c,
    (admitted) => {
      signal = admitted;
      return cache.find(kind, () => renderUnlessShed(admitted));
    },
    (unused) => kind.discard(unused.answer),
  );
  return cache.settle(kind, found, c.get('speechTicket').audioCache, () => renderUnlessShed(signal));
}

/** A hit's timings are the cache's; a rendering's, the worker's (its answer's Server-Timing). */
const timingsOf = (c: Context<AppEnv>, found: Found<unknown>, response: Response): Timings =>
  found.hit ? cacheTimings(c, found.hit) : synthesisTimings(c, response);

/** Plain audio as the worker makes it (or as the cache kept it), metered (the ticket charges what the client is handed). */
export async function streamSpeech(c: Context<AppEnv>, synthesis: Synthesis): Promise<{ audio: ReadableStream<Uint8Array>; timings: Timings; cache: CacheStatus }> {
  const { pool, model, workerRequest, usage } = synthesis;
  const found = await cachedAnswer(c, synthesis, PLAIN, (signal) => pool.synthesize(model, workerRequest, signal, logResume(workerRequest.request_id)));
  const upstream = found.answer;
  if (!upstream.ok || !upstream.body) throw forwardedError(upstream.status, await upstream.json().catch(() => null), 'speech');
  const timings = timingsOf(c, found, upstream);
  return { audio: c.get('speechTicket').meter(upstream.body, { ...usage, cache: found.cache }), timings, cache: found.cache };
}

/** The timed audio (audio frames and words) for the request, from the cache or a worker, or the worker's refusal thrown. */
async function timedUpstream(c: Context<AppEnv>, synthesis: Synthesis) {
  const { pool, model, workerRequest } = synthesis;
  const found = await cachedAnswer(c, synthesis, TIMED, (signal) => pool.synthesizeTimed(model, workerRequest, signal, logResume(workerRequest.request_id)));
  const { response, events } = found.answer;
  if (!response.ok || !events) throw forwardedError(response.status, await response.json().catch(() => null), 'speech');
  return { events, timings: timingsOf(c, found, response), cache: found.cache };
}

/**
 * Audio with its words as they are made: the metered audio stream, and the words beside it
 * (`words.takeWords()` after reading a chunk gives every word that starts in it). Billing meters
 * the audio alone.
 */
export async function streamTimedSpeech(
  c: Context<AppEnv>,
  synthesis: Synthesis,
): Promise<{ audio: ReadableStream<Uint8Array>; words: Pick<SplitTimedAudio, 'takeWords' | 'end'>; timings: Timings; cache: CacheStatus }> {
  const { events, timings, cache } = await timedUpstream(c, synthesis);
  const split = splitTimedAudio(events);
  return { audio: c.get('speechTicket').meter(split.audio, { ...synthesis.usage, cache }), words: split, timings, cache };
}

/**
 * All of the audio and its words, for answers that say nothing until the audio is whole. Nothing
 * is metered (so nothing charged) unless it is: a worker that fails part-way, with no other to
 * finish, is 503 `worker_failed`.
 */
export async function wholeTimedSpeech(
  c: Context<AppEnv>,
  synthesis: Synthesis,
): Promise<{ audio: Uint8Array; words: WordTimestamp[]; end: TimedAudioEnd; timings: Timings; cache: CacheStatus }> {
  const { events, timings, cache } = await timedUpstream(c, synthesis);
  const whole = await readWholeTimedAudio(events);
  if (!whole) throw workerFailed('The speech worker failed before the audio was whole, and no other worker could finish it. Nothing was charged; try again.');
  // Metered as one delivered chunk: the ticket settles the full characters.
  const metered = c.get('speechTicket').meter(new Blob([whole.audio]).stream(), { ...synthesis.usage, cache });
  const audio = new Uint8Array(await new Response(metered).arrayBuffer());
  return { audio, words: whole.words, end: whole.end, timings, cache };
}
