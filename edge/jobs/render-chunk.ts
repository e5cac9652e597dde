import { ApiError } from '../../shared/errors.ts';
import type { SpeechRequest } from '../../shared/schemas/speech.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { Admission } from '../accounts/types.ts';
import type { Env } from '../env.ts';
import { readWholeTimedAudio } from '../http/whole-timed-audio.ts';
import { forwardedError } from '../pool/worker-answers.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { withDictionaries } from '../pronunciation/dictionaries/load-dictionaries.ts';
import { plainTextScript } from '../pronunciation/script.ts';
import { resolveSpeech } from '../speech/resolve.ts';
import { logResume } from '../speech/synthesis.ts';
import { workerRequestFor } from '../speech/worker-request.ts';
import { storedChunk, workerOutputFor } from './joining/index.ts';
import { jobObject } from './job-stub.ts';
import type { AttemptFailure, ChunkMessage, JobChunk, JobSpec, RenderedChunk } from './job-types.ts';

/** How often a rendering attempt tells the job and the account it is alive. */
const HEARTBEAT_MS = 10_000;
/** The chunk's stream lease outlives a missed heartbeat or two (the account frees the slot after it). */
const CHUNK_LEASE_TTL_MS = 35_000;

/**
 * Renders one chunk of a job, as the consumer of its queue message: claims an attempt from the
 * job's object, admits it on the account's (a stream slot, credits drawn from the job's hold),
 * speaks it through the pool as any speech request is spoken (routing, failover, resume), asks
 * the worker for background priority, stores what the joining layer keeps of it in R2, and tells
 * the job. The job's object decides what a failure means; this only says what happened. A
 * cancel (the job finished while this renders) aborts the worker's stream.
 */
export async function renderChunk(env: Env, message: ChunkMessage): Promise<void> {
  const job = jobObject(env, message.job_id);
  const claim = await job.claim(message.index);
  if (!claim.ok) return; // cancelled, finished, stored already, or another message has it
  const { attempt_id: attemptId, spec, chunk } = claim;
  const account = accountObject(env, spec.account_id);
  const abort = new AbortController();
  const alive = keepAlive(env, spec, chunk, attemptId, abort);
  let admitted = false;
  let charged = false;
  try {
    const admission = await account.admit({
      key_id: spec.key_id,
      request_id: attemptId,
      characters: chunk.characters,
      job_id: spec.id,
      count_request: false,
      lease_ttl_ms: CHUNK_LEASE_TTL_MS,
      ...(spec.voice_id ? { voice_id: spec.voice_id } : {}),
      context: { model: spec.model, voice: spec.voice, time_to_first_audio_ms: null },
    });
    if (!admission.ok) return await job.fail(chunk.index, attemptId, refused(admission));
    admitted = true;
    const startedAt = Date.now();
    // The last word before a worker is asked: a cancel the DO has taken is never followed by a dispatch.
    const stillWanted = async () => {
      if (!(await job.heartbeat(chunk.index, attemptId))) abort.abort(new Error('the job no longer wants this attempt'));
      abort.signal.throwIfAborted();
    };
    const rendered = await speak(env, spec, chunk, attemptId, admission.voice_version, abort.signal, stillWanted);
    const stored = storedChunk(spec.response_format, spec.sample_rate, chunk.index, rendered.audio);
    const key = `jobs/${spec.id}/chunks/${String(chunk.index).padStart(6, '0')}/${attemptId}`;
    const result: RenderedChunk = {
      audio_key: `${key}.audio`,
      words_key: `${key}.words.json`,
      bytes: stored.bytes.byteLength,
      samples: stored.samples,
      facts: stored.facts,
      audio_ms: (stored.samples / spec.sample_rate) * 1000,
      words: rendered.words.length,
      render_ms: Date.now() - startedAt,
    };
    await Promise.all([env.JOB_AUDIO.put(result.audio_key, stored.bytes), env.JOB_AUDIO.put(result.words_key, JSON.stringify(rendered.words))]);
    if (await job.complete(chunk.index, attemptId, result)) {
      charged = true;
      await account.settle({ request_id: attemptId, charge: chunk.characters, status: 'completed', stream: { audio_ms: result.audio_ms, context: { model: spec.model, voice: spec.voice, time_to_first_audio_ms: rendered.firstAudioMs } } });
    } else {
      // Stored by another attempt first, or no longer wanted: stored once, charged once.
      await env.JOB_AUDIO.delete([result.audio_key, result.words_key]);
    }
  } catch (error) {
    await job.fail(chunk.index, attemptId, failureOf(error, abort.signal.aborted));
  } finally {
    alive.stop();
    // An attempt that stored nothing (or lost) is charged nothing, and leaves no ledger row.
    if (admitted && !charged) await account.settle({ request_id: attemptId, charge: 0, status: 'failed' });
  }
}

/** The chunk spoken through the pool, whole: its audio bytes as the worker encoded them, and its words. */
async function speak(
  env: Env,
  spec: JobSpec,
  chunk: JobChunk,
  attemptId: string,
  voiceVersion: number | undefined,
  signal: AbortSignal,
  beforeDispatch: () => Promise<void>,
) {
  const pool = new WorkerPool(env);
  const models = await pool.models();
  const request = {
    model: spec.model,
    voice: spec.voice,
    input: chunk.text,
    speed: spec.speed,
    stream_format: 'audio',
    ...(spec.language === undefined ? {} : { language: spec.language }),
    ...(spec.seed === undefined ? {} : { seed: spec.seed }),
    ...(spec.instructions === undefined ? {} : { instructions: spec.instructions }),
  } as SpeechRequest;
  const script = await withDictionaries(env, spec.account_id, chunk.script ?? plainTextScript(chunk.text), spec.pronunciation_dictionaries);
  const resolved = await resolveSpeech({ env }, request, pool, models, { accountId: spec.account_id, requestId: attemptId, voiceVersion, signal }, script);
  const output = { format: workerOutputFor(spec.response_format).response_format, sampleRate: spec.sample_rate, bitrate: spec.bitrate };
  const workerRequest = { ...workerRequestFor(attemptId, resolved, request, output), priority: 'background' as const };
  await beforeDispatch();
  const sentAt = Date.now();
  const { response, events } = await pool.synthesizeTimed(resolved.model, workerRequest, signal, logResume(attemptId));
  if (!events) throw forwardedError(response.status, await response.json().catch(() => null), 'speech');
  const whole = await readWholeTimedAudio(events);
  if (!whole) throw new Error('the worker stream broke before the chunk was whole, and no other worker could finish it');
  return { audio: whole.audio, words: whole.words, firstAudioMs: Date.now() - sentAt };
}

/**
 * While the attempt renders: a heartbeat to the job (which would otherwise queue the chunk again
 * after RENDER_SILENCE_MS) and to the account (which would otherwise free the slot), and the
 * job's cancel watched, aborting the worker's stream.
 */
function keepAlive(env: Env, spec: JobSpec, chunk: JobChunk, attemptId: string, abort: AbortController) {
  const job = jobObject(env, spec.id);
  const account = accountObject(env, spec.account_id);
  let stopped = false;
  const beat = async () => {
    const [wanted] = await Promise.all([
      job.heartbeat(chunk.index, attemptId),
      account.progress({ request_id: attemptId, audio_ms: 0, charge: 0, lease_ttl_ms: CHUNK_LEASE_TTL_MS }),
    ]);
    if (!wanted && !stopped) abort.abort(new Error('the job no longer wants this attempt (cancelled or finished)'));
  };
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_MS);
  // The cancel is seen at once, not at the next heartbeat: watch the job's changes.
  void (async () => {
    let version = 0;
    while (!stopped && !abort.signal.aborted) {
      version = await job.watch(version, 25_000);
      if (stopped) return;
      const status = await job.status();
      if (status !== 'running' && status !== 'queued') abort.abort(new Error(`the job is ${status ?? 'gone'}`));
    }
  })().catch(() => {});
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** What an admission refusal means for the chunk. */
function refused(admission: Extract<Admission, { ok: false }>): AttemptFailure {
  switch (admission.reason) {
    case 'concurrent_streams':
      return { code: 'concurrent_streams', message: "The account's concurrent-stream limit is reached; the chunk waits for a slot.", next: 'wait', retry_in_ms: 1_000 };
    case 'key_revoked':
    case 'key_expired':
    case 'key_unknown':
      return { code: admission.reason, message: `The key that created the job can no longer be used (${admission.reason}).`, next: 'fatal' };
    case 'voice_not_found':
      return { code: 'voice_not_found', message: 'The voice of the job was deleted.', next: 'fatal' };
    default:
      return { code: admission.reason, message: `The chunk was refused: ${admission.reason}.`, next: 'fatal' };
  }
}

/** What a failed attempt means: a worker's refusal of the request itself is fatal; a lost worker, a busy pool, a broken stream are retried. */
function failureOf(error: unknown, aborted: boolean): AttemptFailure {
  if (aborted) return { code: 'cancelled', message: 'The job ended while the chunk rendered.', next: 'wait' };
  if (error instanceof ApiError) {
    if (error.status === 503 || error.status === 502 || error.status === 504 || error.status === 429) {
      const retryAfter = Number(error.headers?.['retry-after']);
      return { code: error.code, message: error.message, next: 'wait', retry_in_ms: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 2_000 };
    }
    return { code: error.code, message: error.message, next: 'fatal' };
  }
  return { code: 'worker_failed', message: error instanceof Error ? error.message : String(error), next: 'retry' };
}
