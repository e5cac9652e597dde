import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import { FORMATS } from '../../shared/audio/formats.ts';
import { AUDIO_HEADERS, WORKER_TIMINGS, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { parseServerTiming } from '../../shared/protocol/server-timing.ts';
import type { AppEnv } from '../env.ts';
import type { StreamUsage } from '../accounts/speech-ticket.ts';
import type { OnResume } from '../pool/worker-pool.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { notHonoredHeader } from '../pronunciation/not-honored.ts';
import { withDictionaries } from '../pronunciation/dictionaries/load-dictionaries.ts';
import type { CacheStatus } from '../cache/cache-status.ts';
import type { ResolvedSpeech } from './resolve.ts';
import { httpCaller, resolveSpeech } from './resolve.ts';
import { type CheckedSpeechRequest, readSpeechRequest } from './speech-request.ts';
import { speechAdmitted } from '../middleware/limits.ts';
import { streamUsage, workerRequestFor } from './worker-request.ts';

/** An admitted speech request, resolved and ready to send to the pool. */
export interface Synthesis extends CheckedSpeechRequest, ResolvedSpeech {
  pool: WorkerPool;
  workerRequest: WorkerSynthesisRequest;
  /** What the ticket's `meter` is told about the stream. */
  usage: StreamUsage;
}

/**
 * Resolves model, voice and language of the request and builds the worker's request. Its
 * admission may still be pending (middleware/limits.ts); should resolving fail, a refusal of the
 * admission is what the client hears, as it would have been without the overlap.
 */
export async function prepareSynthesis(c: Context<AppEnv>): Promise<Synthesis> {
  try {
    const checked = await readSpeechRequest(c);
    const { request, format, sampleRate, bitrate } = checked;
    const pool = new WorkerPool(c.env);
    const [models, script] = await Promise.all([pool.models(), withDictionaries(c.env, c.get('caller').accountId, checked.script, request.pronunciation_dictionaries)]);
    const resolved = await resolveSpeech(c, request, pool, models, httpCaller(c), script);
    const output = { format, sampleRate, bitrate };
    const workerRequest = workerRequestFor(c.get('requestId'), resolved, request, output);
    const usage = streamUsage(resolved, output, request.speed);
    return { ...checked, ...resolved, pool, workerRequest, usage };
  } catch (error) {
    await speechAdmitted(c);
    throw error;
  }
}

/** The Server-Timing metric of a cache hit's lookup. */
export const CACHE_TIMING = 'cache';

/** Logs a stream the pool continued on another worker. */
export const logResume =
  (requestId: string): OnResume =>
  ({ atByte }) =>
    console.warn(JSON.stringify({ level: 'warn', request_id: requestId, message: 'stream resumed on another worker', at_byte: atByte }));

/** The request's timings (ms) from the worker's answer, also added to Server-Timing. */
export function synthesisTimings(c: Context<AppEnv>, worker: Response): Record<'admission_ms' | 'queue_ms' | 'first_audio_ms', number> {
  const workerTimings = parseServerTiming(worker.headers.get('server-timing'));
  const timings = { admission_ms: c.get('admissionMs'), queue_ms: workerTimings[WORKER_TIMINGS.queue] ?? 0, first_audio_ms: workerTimings[WORKER_TIMINGS.firstAudio] ?? 0 };
  setMetric(c, WORKER_TIMINGS.queue, timings.queue_ms, 'Worker: waiting for a synthesis slot');
  setMetric(c, WORKER_TIMINGS.firstAudio, timings.first_audio_ms, 'Worker: from arrival to first audio');
  return timings;
}

/** Which copy served a hit, as Server-Timing's `cache` says it. */
const FOUND_IN = { memory: "Audio cache: found in this isolate's memory", 'cache-api': 'Audio cache: found in this location', r2: 'Audio cache: found in R2' } as const;

/**
 * A cache hit's timings: no worker ran, so no queue, and its first audio is the cache's lookup
 * (Server-Timing `cache`).
 */
export function cacheTimings(c: Context<AppEnv>, { lookupMs, from }: { lookupMs: number; from: keyof typeof FOUND_IN }): ReturnType<typeof synthesisTimings> {
  setMetric(c, CACHE_TIMING, lookupMs, FOUND_IN[from]);
  return { admission_ms: c.get('admissionMs'), queue_ms: 0, first_audio_ms: lookupMs };
}

/** The headers of a speech answer that say what was spoken, and how; `content-type` is the audio's. */
export function speechHeaders(c: Context<AppEnv>, { model, voiceId, language, sampleRate, format, detected, notHonored }: Synthesis, cache: CacheStatus): Headers {
  const headers = new Headers({
    'content-type': FORMATS[format].contentType,
    'cache-control': 'no-store',
    [AUDIO_HEADERS.model]: model.info.id,
    [AUDIO_HEADERS.voice]: voiceId,
    [AUDIO_HEADERS.language]: language,
    [AUDIO_HEADERS.sampleRate]: String(sampleRate),
    [AUDIO_HEADERS.cache]: cache,
    'x-request-id': c.get('requestId'),
  });
  if (model.info.version) headers.set(AUDIO_HEADERS.modelVersion, model.info.version);
  if (detected) headers.set(AUDIO_HEADERS.detectedLanguages, detected.join(','));
  if (notHonored.length > 0) headers.set(AUDIO_HEADERS.notHonored, notHonoredHeader(notHonored));
  return headers;
}
