import { DurableObject } from 'cloudflare:workers';
import { accountObject } from '../accounts/account-stub.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import type { SpeechScript } from '../pronunciation/script.ts';
import { D1JobIndex } from '../storage/jobs.ts';
import { type ChunkRow, JobTables } from './job-tables.ts';
import type { AttemptFailure, ChunkClaim, JobChunk, JobLayout, JobSpec, JobStatus, JobView, RenderedChunk, WebhookState } from './job-types.ts';
import { FINISHED } from './job-types.ts';
import { jobView } from './job-view.ts';
import { deliverJobWebhook, webhookFor } from './job-webhook.ts';

/** Attempts a chunk may take (workers that failed mid-chunk, broken audio) before the job fails. */
export const MAX_CHUNK_ATTEMPTS = 5;
/** The backoff after a chunk's failed attempt: 1 s, 2 s, 4 s, ... */
const RETRY_BASE_MS = 1_000;
/** A rendering chunk whose consumer has not said a word for this long died with it: queued again. */
export const RENDER_SILENCE_MS = 60_000;
/** A queued chunk no consumer took for this long: its message was lost; sent again. */
const QUEUED_TOO_LONG_MS = 120_000;
/** The longest a watcher waits for a change before it is answered with the job as it is. */
const MAX_WATCH_MS = 30_000;

/**
 * One long-form job (docs/jobs.md): its spec, its chunks and what became of each, in SQLite.
 *
 * It is the only one that decides: it sends its chunks to the queue (at most JOB_CHUNKS_IN_FLIGHT
 * at once, first first), grants each message's consumer an attempt (`claim`), records the first
 * attempt that stored the chunk (`complete`: a chunk rendered twice is stored once), sends a
 * failed attempt back to wait or fails the job (`fail`), and finishes the job: its credits'
 * hold released on the account's object, the index in D1 updated, the webhook called. Its alarm
 * queues what waited, sends again what was lost, retries the webhook and deletes the audio once
 * the retention is over. Watchers (the SSE route, the audio route following a running job, a
 * consumer watching for a cancel) wait on `watch` for the next change.
 */
export class JobDO extends DurableObject<Env> {
  private readonly tables: JobTables;
  private readonly watchers = new Set<() => void>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.tables = new JobTables(ctx.storage.sql);
  }

  /** Creates the job and queues its first chunks. The credits are held by the caller first. */
  async create(spec: JobSpec, chunks: JobChunk[]): Promise<JobView> {
    if (this.tables.job()) return this.view()!;
    const now = Date.now();
    this.tables.createJob(spec, chunks, now);
    this.changed();
    await this.dispatch();
    return this.view()!;
  }

  view(): JobView | null {
    const job = this.tables.job();
    return job && jobView(job, this.tables.counts(), this.tables.count(), Date.now());
  }

  /** The job's status alone (a renderer watching for a cancel asks it at every change). */
  status(): JobStatus | null {
    return this.tables.job()?.status ?? null;
  }

  /** The job as its owner sees it: null when there is none, or it is another account's. */
  viewFor(accountId: string): JobView | null {
    return this.tables.job()?.parsed.account_id === accountId ? this.view() : null;
  }

  layout(): JobLayout | null {
    const job = this.tables.job();
    if (!job) return null;
    return { status: job.status, spec: job.parsed, chunks: this.tables.count(), ready: job.purged ? [] : this.tables.readyPrefix(), version: job.version };
  }

  /** The job's text (subtitles quote it). */
  text(): string {
    return this.tables.text();
  }

  /** Render times of the chunks done, ms: against the job's wall time, how well the pool spread it. */
  renderTimes(): number[] {
    return this.tables.renderTimes();
  }

  /** Whether the stored audio was deleted (the retention ended). */
  purged(): boolean {
    return (this.tables.job()?.purged ?? 0) === 1;
  }

  /** Resolves with the job's version once it is past `version`, or after `timeoutMs` (at most MAX_WATCH_MS) with the version as it is. */
  async watch(version: number, timeoutMs: number): Promise<number> {
    const current = () => this.tables.job()?.version ?? 0;
    if (current() > version) return current();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.watchers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(Math.max(0, timeoutMs), MAX_WATCH_MS));
      this.watchers.add(done);
    });
    return current();
  }

  // ---- chunks: the consumer's side ----

  /** A consumer took the chunk's message: it may render it as a new attempt, unless it is no longer wanted. */
  claim(index: number): ChunkClaim {
    const job = this.tables.job();
    if (!job) return { ok: false, reason: 'no_job' };
    if (FINISHED.has(job.status)) return { ok: false, reason: 'job_finished' };
    const chunk = this.tables.chunk(index);
    if (!chunk) return { ok: false, reason: 'no_job' };
    if (chunk.status === 'done') return { ok: false, reason: 'chunk_done' };
    // A message sent again (or twice) for a chunk that is rendering or waits: the other one has it.
    if (chunk.status !== 'queued') return { ok: false, reason: 'not_queued' };
    const now = Date.now();
    const attemptId = `${job.parsed.id}.${index}.${chunk.claims + 1}`;
    this.tables.setRendering(index, attemptId, now);
    if (job.status === 'queued') {
      this.setStatus('running', now);
      this.ctx.waitUntil(this.dispatch()); // the rest of the first window
    }
    this.changed();
    return { ok: true, attempt_id: attemptId, spec: job.parsed, chunk: { index, text: chunk.text, char_offset: chunk.char_offset, characters: chunk.characters, ...(chunk.script ? { script: JSON.parse(chunk.script) as SpeechScript } : {}) } };
  }

  /** A rendering attempt is alive; false when it is no longer the chunk's (cancelled, or given up on). */
  heartbeat(index: number, attemptId: string): boolean {
    const job = this.tables.job();
    if (!job || FINISHED.has(job.status)) return false;
    return this.tables.heartbeat(index, attemptId, Date.now());
  }

  /**
   * The attempt stored its chunk. True when it is the chunk's audio from now on; false when the
   * job no longer wants it (finished, cancelled) or another attempt stored it first: the caller
   * deletes what it stored and charges nothing.
   */
  async complete(index: number, attemptId: string, result: RenderedChunk): Promise<boolean> {
    const job = this.tables.job();
    const chunk = this.tables.chunk(index);
    if (!job || !chunk || FINISHED.has(job.status) || chunk.status === 'done' || chunk.status === 'failed') return false;
    // A late attempt the job had given up on (silent too long) still stored a good chunk: take it.
    const now = Date.now();
    this.tables.setDone(index, result, now);
    this.changed();
    if (this.tables.counts().done === this.tables.count()) await this.finish('completed', now);
    else await this.dispatch();
    return true;
  }

  /** The attempt did not store its chunk: it waits and is queued again, or the job fails. */
  async fail(index: number, attemptId: string, failure: AttemptFailure): Promise<void> {
    const job = this.tables.job();
    const chunk = this.tables.chunk(index);
    if (!job || !chunk || FINISHED.has(job.status) || chunk.status !== 'rendering' || chunk.attempt_id !== attemptId) return;
    const now = Date.now();
    const maxWaitMs = edgeConfig(this.env).jobs.maxWaitMs;
    const waitedTooLong = failure.next === 'wait' && chunk.waiting_since !== null && now - chunk.waiting_since > maxWaitMs;
    if (failure.next === 'fatal' || waitedTooLong || (failure.next === 'retry' && chunk.attempts >= MAX_CHUNK_ATTEMPTS)) {
      this.tables.setFailed(index, failure, now);
      const message =
        failure.next === 'fatal' ? failure.message
        : waitedTooLong ? `Chunk ${index} waited over ${Math.round(maxWaitMs / 1000)} s for a stream slot or a worker; the last: ${failure.message}`
        : `Chunk ${index} failed ${chunk.attempts} times; the last: ${failure.message}`;
      await this.finish('failed', now, { code: failure.code, message });
      return;
    }
    const wait = failure.retry_in_ms ?? RETRY_BASE_MS * 2 ** (chunk.attempts - 1);
    this.tables.setPending(index, now + wait, failure, failure.next === 'wait', now);
    this.changed();
    await this.dispatch();
  }

  // ---- the owner's side ----

  /** Cancels the owner's job: nothing more is queued or claimed, rendering attempts see it and stop, the hold is released. Null: not the account's job. */
  async cancel(accountId: string): Promise<JobView | null> {
    const job = this.tables.job();
    if (!job || job.parsed.account_id !== accountId) return null;
    if (!FINISHED.has(job.status)) await this.finish('cancelled', Date.now());
    return this.view();
  }

  // ---- inside ----

  private setStatus(status: JobStatus, now: number, error?: { code: string; message: string }): void {
    this.tables.setStatus(status, now, error);
    const spec = this.tables.job()!.parsed;
    this.ctx.waitUntil(new D1JobIndex(this.env.DB).setStatus(spec.id, status, FINISHED.has(status) ? new Date(now).toISOString() : null).catch((error) => logError('job index update failed', spec.id, error)));
  }

  private async finish(status: 'completed' | 'failed' | 'cancelled', now: number, error?: { code: string; message: string }): Promise<void> {
    const spec = this.tables.job()!.parsed;
    this.setStatus(status, now, error);
    this.tables.setExpiry(now + edgeConfig(this.env).jobs.retentionMs);
    if (status !== 'cancelled' && spec.webhook_url) this.tables.setWebhook(webhookFor(spec, now));
    this.changed();
    // What the hold keeps goes back to the balance; chunks still running settle to the balance.
    await accountObject(this.env, spec.account_id).releaseJob(spec.id);
    await this.scheduleAlarm();
  }

  /** Queues due chunks while fewer than the limit are queued or rendering, first first. */
  private async dispatch(): Promise<void> {
    const job = this.tables.job();
    if (!job || FINISHED.has(job.status)) return;
    const now = Date.now();
    // The first chunk goes alone, and the rest once it is taken: it is short, and what a player
    // following the job waits for (a queue that hands out one batch at a time would otherwise
    // give it the pace of its batch's slowest chunk).
    const window = job.status === 'queued' ? 1 : edgeConfig(this.env).jobs.chunksInFlight;
    const room = window - this.tables.counts().in_flight;
    const due = this.tables.due(now, room);
    if (due.length > 0) {
      for (const chunk of due) this.tables.setQueued(chunk.idx, now);
      this.changed();
      try {
        await this.env.JOB_CHUNKS.sendBatch(due.map((chunk) => ({ body: { job_id: job.parsed.id, index: chunk.idx } })));
      } catch (error) {
        // Sent again by the alarm (QUEUED_TOO_LONG_MS), as a message the queue lost would be.
        logError('job chunks could not be queued', job.parsed.id, error);
      }
    }
    await this.scheduleAlarm();
  }

  /** Chunks whose message or consumer was lost go back to pending. */
  private recoverLost(now: number): void {
    const lost = (rows: ChunkRow[], uncount: boolean, why: string) => {
      for (const chunk of rows) this.tables.setPending(chunk.idx, now, { code: 'chunk_lost', message: why, next: 'retry' }, uncount, now);
      if (rows.length > 0) this.changed();
    };
    lost(this.tables.stale('queued', now - QUEUED_TOO_LONG_MS), false, 'its queue message was not delivered in time');
    lost(this.tables.stale('rendering', now - RENDER_SILENCE_MS), false, 'its renderer went silent');
  }

  override async alarm(): Promise<void> {
    const job = this.tables.job();
    if (!job) return;
    const now = Date.now();
    if (!FINISHED.has(job.status)) {
      this.recoverLost(now);
      await this.dispatch();
      return;
    }
    const webhook = JSON.parse(job.webhook) as WebhookState;
    if (webhook.status === 'pending' && webhook.next_attempt_at && Date.parse(webhook.next_attempt_at) <= now) {
      this.tables.setWebhook(await deliverJobWebhook(this.env, job.parsed, this.view()!, webhook, now));
      this.changed();
    }
    if (job.expires_ms !== null && job.expires_ms <= now && !job.purged) await this.purge(job.parsed);
    await this.scheduleAlarm();
  }

  /** Deletes the job's stored audio and words (the retention ended). */
  private async purge(spec: JobSpec): Promise<void> {
    const keys = this.tables.storedKeys();
    for (let i = 0; i < keys.length; i += 1000) await this.env.JOB_AUDIO.delete(keys.slice(i, i + 1000));
    // Objects of attempts that lost (stored twice) were deleted by their consumer; this catches any left.
    let cursor: string | undefined;
    do {
      const listed = await this.env.JOB_AUDIO.list({ prefix: `jobs/${spec.id}/`, ...(cursor ? { cursor } : {}) });
      if (listed.objects.length > 0) await this.env.JOB_AUDIO.delete(listed.objects.map((object) => object.key));
      cursor = listed.truncated ? listed.cursor : undefined;
    } while (cursor);
    this.tables.markPurged();
    this.changed();
  }

  private async scheduleAlarm(): Promise<void> {
    const job = this.tables.job();
    if (!job) return;
    const times: number[] = [];
    if (!FINISHED.has(job.status)) {
      const nextDue = this.tables.nextDue();
      if (nextDue !== null) times.push(Math.max(nextDue, Date.now()));
      const queued = this.tables.oldestSince('queued');
      if (queued !== null) times.push(queued + QUEUED_TOO_LONG_MS);
      const rendering = this.tables.oldestSince('rendering');
      if (rendering !== null) times.push(rendering + RENDER_SILENCE_MS);
    } else {
      const webhook = JSON.parse(job.webhook) as WebhookState;
      if (webhook.status === 'pending' && webhook.next_attempt_at) times.push(Date.parse(webhook.next_attempt_at));
      if (job.expires_ms !== null && !job.purged) times.push(job.expires_ms);
    }
    if (times.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...times));
  }

  private changed(): void {
    this.tables.bump();
    for (const wake of [...this.watchers]) wake();
  }
}

const logError = (message: string, jobId: string, error: unknown) => console.error(JSON.stringify({ level: 'error', message, job_id: jobId, error: String(error) }));
