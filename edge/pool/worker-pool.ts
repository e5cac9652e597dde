import { canResume } from '../../shared/audio/formats.ts';
import { ApiError } from '../../shared/errors.ts';
import { DEFAULT_HEARTBEAT_MS } from '../../shared/protocol/pool.ts';
import { dropRepeatedWords, readTimedAudio, type TimedAudioEvent } from '../../shared/protocol/timed-audio.ts';
import { WORKER_PATHS, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import type { ModelInfo } from '../../shared/schemas/catalog.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { byteSourceOf, type ChunkSource, streamOf } from '../http/chunk-source.ts';
import { resumableStream } from '../http/resumable-stream.ts';
import { silenceWatchdog } from '../http/silence-watchdog.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { RETRY_AFTER_HEADERS } from '../openapi/headers.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { queuePosition, withinBudget, WorkerThroughput } from './load-shedding.ts';
import { forgetPool, type PoolMember, poolMembers } from './members.ts';
import { Reservations } from './reservations.ts';
import { type SignedInit, signedFetch } from './signed-fetch.ts';
import { firstAudioDeadlineMs, silenceDeadlineMs } from './stall-deadline.ts';
import { refusedSignature, workerAuth, workerAuthFailed } from './worker-auth.ts';

/** A model the pool serves and the workers that serve it. */
export interface PoolModel {
  info: ModelInfo;
  workers: PoolMember[];
}

/** Told when a stream went on on another worker, from which audio byte. */
export type OnResume = (resumed: { worker: string; atByte: number }) => void;

/** A request a worker answered: its response, which worker, and what the pool knew of it when it was sent. */
export interface Dispatched {
  response: Response;
  worker: string;
  member: PoolMember;
}

/** Workers one request may try before the first byte. */
const MAX_ATTEMPTS = 3;

// Per isolate: what this isolate has learned of each worker, and the requests it has open there.
export const breaker = new CircuitBreaker();
export const inFlight = new Map<string, number>();
/** How fast each worker finishes synthesis streams, as this isolate saw them end (load shedding). */
const throughput = new WorkerThroughput();
/** Requests load shedding let through, counted on the worker it chose until they are sent there. */
const reservations = new Reservations(10_000);
/** Streams this isolate has open on a worker or on their way there. */
const openHere = (url: string) => (inFlight.get(url) ?? 0) + reservations.on(url);

/** What a request that needs a worker is refused with when none can take it. */
export const POOL_ERRORS = errorCatalogue({ 502: ['worker_auth_failed'], 503: ['no_worker_available', 'pool_saturated'] }, { 503: RETRY_AFTER_HEADERS });

export const noWorker = (detail: string, retryAfterSeconds = 5) =>
  new ApiError(503, 'service_unavailable', 'no_worker_available', `No speech worker is available: ${detail}`, {
    headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) },
  });

/** Workers a request for the model may be sent to now. */
const usable = (model: PoolModel, tried: ReadonlySet<string> = new Set()) =>
  model.workers.filter((m) => !tried.has(m.url) && !m.draining && breaker.allows(m.url) && !workerAuth.unusable(m));

/** Load over capacity, counting what this isolate sent since the worker's last heartbeat. */
const loadOf = (member: PoolMember) => (member.load.active + member.load.queued + openHere(member.url)) / member.capacity;

/** Forgets the request's reservation (see `shedIfSaturated`): it ended, sent or not. */
export const dropReservation = (requestId: string) => reservations.drop(requestId);

/** The better of two workers drawn at random (by load): near-best balance without herding on one. */
function pickTwo(candidates: PoolMember[]): PoolMember {
  const a = candidates[Math.floor(Math.random() * candidates.length)]!;
  const b = candidates[Math.floor(Math.random() * candidates.length)]!;
  return loadOf(b) < loadOf(a) ? b : a;
}

/**
 * Counts a request as open on a worker from the moment it is sent, so that a burst of requests
 * spreads before any worker has answered. Returns the release; `holdUntilDone` hands it to the
 * response body, which releases it when the body ends, however it ends.
 */
function openOn(url: string): () => void {
  inFlight.set(url, (inFlight.get(url) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    inFlight.set(url, Math.max(0, (inFlight.get(url) ?? 1) - 1));
  };
}

function holdUntilDone(response: Response, release: () => void, whole: () => void = () => {}): Response {
  if (!response.body) {
    release();
    return response;
  }
  const body = byteSourceOf(response.body);
  let cancelled = false;
  const held: ChunkSource<Uint8Array> = {
    async read() {
      try {
        const chunk = await body.read();
        if (chunk.done) {
          release();
          // A read pending when the body was cancelled (client gone, worker stalled) ends as done too: not a whole stream.
          if (!cancelled) whole();
        }
        return chunk;
      } catch (error) {
        release();
        throw error;
      }
    },
    async cancel(reason) {
      cancelled = true;
      release();
      await body.cancel(reason).catch(() => {});
    },
  };
  return new Response(streamOf(held), { status: response.status, headers: response.headers });
}

export class WorkerPool {
  private readonly env: Env;

  constructor(env: Env) {
    this.env = env;
  }

  /** The models the pool serves, merged by model id, each with the workers that serve it. */
  async models(): Promise<Map<string, PoolModel>> {
    const models = new Map<string, PoolModel>();
    const members = await poolMembers(this.env);
    for (const member of members) {
      for (const info of member.models) {
        const entry = models.get(info.id) ?? { info, workers: [] };
        entry.workers.push(member);
        models.set(info.id, entry);
      }
    }
    if (models.size === 0 && members.some((m) => workerAuth.unusable(m))) throw workerAuthFailed();
    if (models.size === 0) throw noWorker('no worker has joined the pool.', Math.ceil(DEFAULT_HEARTBEAT_MS / 1000));
    return models;
  }

  /**
   * Sends a synthesis request to a worker that serves the model and returns its response with
   * the body unread, for the caller to stream. Should that worker fail mid-stream, the body goes
   * on with the same request on another worker, from the next byte (see resumableStream), when
   * format and model allow it (see `splice` in shared/audio/formats.ts).
   */
  async synthesize(model: PoolModel, request: WorkerSynthesisRequest, signal: AbortSignal, onResume: OnResume = () => {}): Promise<Response> {
    const { response, body } = await this.synthesisStream(model, request, signal, onResume, (bytes) => bytes, (bytes) => bytes.byteLength);
    return body ? new Response(body, { status: response.status, headers: response.headers }) : response;
  }

  /**
   * `synthesize` with the words spoken: the worker's audio and word timestamps as events
   * (shared/protocol/timed-audio.ts), each word once even when the stream resumed elsewhere.
   * `events` is null when the worker refused: `response` then holds its JSON error.
   */
  async synthesizeTimed(
    model: PoolModel,
    request: WorkerSynthesisRequest,
    signal: AbortSignal,
    onResume: OnResume = () => {},
  ): Promise<{ response: Response; events: ReadableStream<TimedAudioEvent> | null }> {
    const audioBytes = (event: TimedAudioEvent) => (event.kind === 'audio' ? event.bytes.byteLength : 0);
    const { response, body } = await this.synthesisStream(model, { ...request, timestamps: true }, signal, onResume, readTimedAudio, audioBytes);
    return { response, events: body?.pipeThrough(dropRepeatedWords()) ?? null };
  }

  /** The stream of a synthesis answer read as `read` reads it, continued elsewhere when it can be. */
  private async synthesisStream<T>(
    model: PoolModel,
    request: WorkerSynthesisRequest,
    signal: AbortSignal,
    onResume: OnResume,
    read: (body: ReadableStream<Uint8Array>) => ReadableStream<T>,
    audioBytes: (piece: T) => number,
  ): Promise<{ response: Response; body: ReadableStream<T> | null }> {
    const send = (body: WorkerSynthesisRequest, avoid: string[]) =>
      this.dispatch(model, WORKER_PATHS.synthesize, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'x-request-id': request.request_id },
        signal,
        avoid,
        reservedFor: request.request_id,
        background: request.priority === 'background',
      });
    const first = await send(request, []);
    if (!first.response.ok || !first.response.body) return { response: first.response, body: null };
    const background = request.priority === 'background';
    const body = read(this.watched(first, request.request_id, false, background));
    if (!canResume(request.response_format, model.info)) return { response: first.response, body };
    const served = [first.worker];
    const resumed = resumableStream(body, {
      audioBytes,
      resume: async (atByte) => {
        const next = await send({ ...request, resume_at_byte: atByte }, served);
        if (!next.response.ok || !next.response.body) {
          await next.response.body?.cancel();
          return null;
        }
        served.push(next.worker);
        onResume({ worker: next.worker, atByte });
        return read(this.watched(next, request.request_id, atByte > 0, background));
      },
    });
    return { response: first.response, body: resumed };
  }

  /**
   * A synthesis answer's body that errors (as a dead worker's does, so resumableStream goes on
   * elsewhere) when its worker keeps the edge waiting past the worker's own silence deadline; the
   * stall counts against its circuit. A resumed stream's first bytes come only once the worker has
   * regenerated the audio the client has (at a pace the edge cannot know): up to the ceiling. A
   * background stream (a job's chunk), whose work the worker puts behind live streams', is given
   * the ceiling too.
   */
  private watched(answer: Dispatched, requestId: string, resumed: boolean, background: boolean): ReadableStream<Uint8Array> {
    const settings = edgeConfig(this.env).stall;
    const live = silenceDeadlineMs(answer.member, settings);
    const silenceMs = background ? Math.max(live, settings.ceilingMs) : live;
    return silenceWatchdog(answer.response.body!, {
      silenceMs,
      ...(resumed ? { firstReadMs: Math.max(silenceMs, settings.ceilingMs) } : {}),
      onStall: (waitedMs) => {
        breaker.failure(answer.worker);
        console.warn(JSON.stringify({ level: 'warn', request_id: requestId, message: 'worker stalled mid-stream', worker: answer.worker, waited_ms: waitedMs, deadline_ms: silenceMs }));
      },
    });
  }

  /**
   * Throws 503 `pool_saturated` when no worker of the model could give a new stream its first
   * audio within FIRST_AUDIO_BUDGET_MS (see load-shedding.ts). Called before admission takes
   * credits and limits, and only for a stream not yet playing: nothing playing is cut. Otherwise
   * reserves one of the workers within the budget for the request (see reservations.ts): its
   * dispatch goes there. Whoever calls this drops the reservation (`dropReservation`) when the
   * request ends, in case it never reached dispatch.
   */
  shedIfSaturated(model: PoolModel, requestId: string): void {
    const { within, refusal } = withinBudget(usable(model), openHere, throughput, edgeConfig(this.env).firstAudioBudgetMs);
    if (refusal) throw refusal;
    if (within.length > 0) reservations.hold(requestId, pickTwo(within).url);
  }

  /** `dispatch`, for the response alone. */
  async send(model: PoolModel, path: string, init: SignedInit & { signal: AbortSignal }): Promise<Response> {
    return (await this.dispatch(model, path, init)).response;
  }

  /**
   * Sends a request to a worker of the model, chosen by load among those that are not draining
   * and whose circuit is closed (or half-open, for its one probe). A connection error, a 5xx, a
   * refused signature (401/403: see worker-auth.ts), a full worker (503) or no answer within its
   * deadline (see firstByteDeadlineMs) moves on to another worker, up to MAX_ATTEMPTS; all but the
   * 503 count against the worker's circuit. `avoid`: workers not to ask (a resumed stream's dead one).
   * `reservedFor`: the request id whose reservation, if it still holds, names the first worker to
   * ask. `background`: a job's chunk, which a worker queues behind live streams (its first audio
   * may take a queue's wait longer, and its time says nothing of the worker's pace for live
   * streams). Says which worker answered.
   */
  async dispatch(
    model: PoolModel,
    path: string,
    init: SignedInit & { signal: AbortSignal; avoid?: readonly string[]; reservedFor?: string; background?: boolean },
  ): Promise<Dispatched> {
    const { avoid = [], signal, reservedFor, background = false, ...request } = init;
    const tried = new Set<string>(avoid);
    let busy = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const candidates = usable(model, tried);
      if (candidates.length === 0) break;
      const reserved = attempt === 0 && reservedFor !== undefined ? reservations.take(reservedFor) : undefined;
      const member = candidates.find((m) => m.url === reserved) ?? pickTwo(candidates);
      const { url } = member;
      const timeoutMs = this.firstByteDeadlineMs(member, path) + (background ? edgeConfig(this.env).stall.ceilingMs : 0);
      tried.add(url);
      breaker.begin(url);
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      const release = openOn(url);
      const sent = performance.now();
      const occupancy = queuePosition(member, inFlight.get(url) ?? 0).occupied;
      let answered = false;
      try {
        const response = await signedFetch(this.env.WORKER_SECRET, url, path, { ...request, signal: AbortSignal.any([signal, deadline.signal]) });
        if (response.status === 503) {
          busy = true; // full or draining: healthy, just not now
          breaker.success(url);
          await response.body?.cancel();
          continue;
        }
        if (response.status >= 500 || refusedSignature(response.status)) {
          // A refused signature is the operator's fault, not the client's: never forwarded.
          if (refusedSignature(response.status)) workerAuth.refused(url, response.status, path);
          breaker.failure(url);
          await response.body?.cancel();
          continue;
        }
        breaker.success(url);
        answered = true;
        // A synthesis stream read to its end says how fast this worker frees a slot (from its
        // sending, with the streams open there then: queueing counts on both sides).
        const whole = path === WORKER_PATHS.synthesize && !background ? () => throughput.record(url, performance.now() - sent, occupancy) : undefined;
        return { response: holdUntilDone(response, release, whole), worker: url, member };
      } catch (error) {
        if (signal.aborted) throw error;
        if (deadline.signal.aborted) logFirstByteStall(request.headers, path, url, timeoutMs);
        breaker.failure(url);
        forgetPool(url);
      } finally {
        clearTimeout(timer);
        if (!answered) release();
      }
    }
    throw this.unavailable(model, busy);
  }

  /**
   * How long a request to `member` may wait for the worker's answer: for synthesis, whose answer
   * comes with its first audio, a multiple of what the worker's load says that takes (see
   * stall-deadline.ts); for anything else (voices), FIRST_BYTE_TIMEOUT_MS.
   */
  private firstByteDeadlineMs(member: PoolMember, path: string): number {
    const config = edgeConfig(this.env);
    if (path !== WORKER_PATHS.synthesize) return config.firstByteTimeoutMs;
    return firstAudioDeadlineMs(member, inFlight.get(member.url) ?? 0, throughput.slowest(member.url), config.stall);
  }

  /** The 503 when no worker can take the request, with a Retry-After from what the pool is doing. */
  private unavailable(model: PoolModel, busy: boolean): ApiError {
    if (model.workers.length === 0) return noWorker('no worker serves this model.', Math.ceil(DEFAULT_HEARTBEAT_MS / 1000));
    const reopening = model.workers.map((m) => breaker.retryAfterSeconds(m.url)).filter((s) => s > 0);
    if (busy || model.workers.some((m) => m.draining)) return noWorker('every worker is busy.', 1);
    if (model.workers.some((m) => workerAuth.unusable(m))) return workerAuthFailed();
    if (reopening.length > 0) return noWorker('no worker is answering; they are retried shortly.', Math.min(...reopening));
    return noWorker('no worker could be reached.');
  }
}

/** A worker left for want of an answer within its deadline: which, and how long it was given. */
function logFirstByteStall(headers: Record<string, string> | undefined, path: string, worker: string, deadlineMs: number): void {
  const requestId = headers?.['x-request-id'] ?? null;
  console.warn(JSON.stringify({ level: 'warn', request_id: requestId, message: 'worker stalled before first audio', path, worker, deadline_ms: deadlineMs }));
}
