import { describe, expect, it, vi } from 'vitest';
import { useFaultyPool } from '../../test/harness/faulty-pool.ts';
import { createJob, finishedJob } from '../../test/harness/jobs.ts';
import { flushLedger } from '../../test/harness/ledger.ts';
import type { AttemptFailure, ChunkClaim, JobLayout, JobView, RenderedChunk } from './job-types.ts';
import { splitJobText } from './split-text.ts';

// A job's Durable Object, reached directly (as the queue's consumer reaches it) beside the real
// consumer, and the credits it holds on the account's object. The pool is one stand-in worker
// (test/harness/faulty-worker.ts) in front of a real one: stalled, a chunk stays `rendering` under
// the consumer's attempt for as long as a test needs (a background request's deadline is over a
// minute); healthy, it relays to the real worker and jobs render as usual.
const pool = useFaultyPool();

/** The JobDO methods the consumer and the routes call (RPC from the test as from the edge). */
interface JobObject {
  claim(index: number): Promise<ChunkClaim>;
  heartbeat(index: number, attemptId: string): Promise<boolean>;
  complete(index: number, attemptId: string, result: RenderedChunk): Promise<boolean>;
  fail(index: number, attemptId: string, failure: AttemptFailure): Promise<void>;
  view(): Promise<JobView | null>;
  layout(): Promise<JobLayout | null>;
}
async function jobObject(id: string): Promise<JobObject> {
  const ns = await pool.edge.mf.getDurableObjectNamespace('JOBS');
  return ns.get(ns.idFromName(id)) as unknown as JobObject;
}

/** What an attempt would report having stored (the keys name no stored object: nothing here reads them). */
const rendered = (attemptId: string): RenderedChunk => ({
  audio_key: `jobs/test/${attemptId}.audio`,
  words_key: `jobs/test/${attemptId}.words.json`,
  bytes: 1_000,
  samples: 24_000,
  facts: {},
  audio_ms: 1_000,
  words: 10,
  render_ms: 100,
});

/** Two chunks: the first at most 300 characters. */
const TWO_CHUNKS = [
  'The lighthouse keeper climbed the stairs at dusk. He counted every step, as he had done for thirty years. The lamp was cold, and the glass was dusty.',
  'Far below, the sea rolled against the rocks. A small boat was coming home late, its sail patched and grey. The keeper wiped the glass and struck a match.',
].join('\n\n');

type Usage = { balance: number; reserved: number };
const usageOf = async (key: string) => (await (await pool.edge.fetch('/v1/usage', { key })).json()) as Usage;

describe("a job's object, beside its real consumer (the worker stalled)", () => {
  it('holds the credits while it runs; ignores a stale attempt; stores a chunk completed twice once; refuses a claim after cancel; releases the hold', async () => {
    pool.faulty.mode = 'stall';
    const credits = 10_000;
    const { key } = await pool.edge.createKey({ credits });
    const job = await createJob(pool.edge, key, { input: TWO_CHUNKS });
    expect(job.chunks).toBe(splitJobText(TWO_CHUNKS).length);
    expect(job.chunks).toBe(2);
    const stub = await jobObject(job.id);

    // The consumer claimed chunk 0 as the job's first attempt at it, and renders it (stalled).
    const attempt = `${job.id}.0.1`;
    await vi.waitFor(async () => expect(await stub.heartbeat(0, attempt)).toBe(true), { timeout: 10_000, interval: 50 });
    // The whole job's characters are held while it runs (part of them drawn by the chunk's lease).
    expect(await usageOf(key)).toMatchObject({ balance: credits - job.characters, reserved: job.characters });

    // An attempt the chunk no longer belongs to failing, even fatally, changes nothing.
    const before = (await stub.view())!;
    await stub.fail(0, `${job.id}.0.7`, { code: 'worker_failed', message: 'a stale attempt', next: 'fatal' });
    expect((await stub.view())!).toEqual(before);
    expect(await stub.heartbeat(0, attempt)).toBe(true);

    // The first attempt to complete stores the chunk; a second completing it is told no, and the first's audio stays.
    expect(await stub.complete(0, attempt, rendered(attempt))).toBe(true);
    expect(await stub.complete(0, `${job.id}.0.2`, rendered(`${job.id}.0.2`))).toBe(false);
    const layout = (await stub.layout())!;
    expect(layout.ready.map((chunk) => chunk.audio_key)).toEqual([rendered(attempt).audio_key]);
    const view = (await stub.view())!;
    expect(view.status).toBe('running');
    expect(view.progress).toMatchObject({ chunks_done: 1, bytes: 1_000, chunks_failed: 0 });
    // The stale attempt's fail did not count: the job has not failed, chunk 0 is done once.
    expect(view.error).toBeNull();

    const cancel = await pool.edge.fetch(`/v1/audio/jobs/${job.id}`, { method: 'DELETE', key });
    expect(((await cancel.json()) as JobView).status).toBe('cancelled');
    expect(await stub.claim(1)).toEqual({ ok: false, reason: 'job_finished' });
    expect(await stub.claim(0)).toEqual({ ok: false, reason: 'job_finished' });
    expect(await stub.complete(1, `${job.id}.1.1`, rendered(`${job.id}.1.1`))).toBe(false);

    // The hold is gone; the rendering attempt, aborted by the cancel, settles without a charge.
    await vi.waitFor(async () => expect(await usageOf(key)).toMatchObject({ balance: credits, reserved: 0 }), { timeout: 15_000, interval: 100 });
  });
});

describe("a job's credits, rendered for real (the worker healthy)", () => {
  it('holds them until it completes, then charges each chunk once: a ledger row per chunk with its characters, the job\'s characters in all', async () => {
    pool.faulty.mode = 'healthy';
    const credits = 10_000;
    const { key, account_id } = await pool.edge.createKey({ credits });
    const job = await createJob(pool.edge, key, { input: TWO_CHUNKS });
    const { job: done } = await finishedJob(pool.edge, key, job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');

    // Chunks settle just after they are stored: the reservation falls to 0, the balance by the characters.
    await vi.waitFor(async () => expect(await usageOf(key)).toEqual(expect.objectContaining({ balance: credits - job.characters, reserved: 0 })), { timeout: 15_000, interval: 100 });

    await flushLedger(pool.edge, account_id);
    const db = await pool.edge.mf.getD1Database('DB');
    const { results } = await db
      .prepare('SELECT request_id, characters, credits_charged, status FROM usage_ledger WHERE account_id = ? ORDER BY request_id')
      .bind(account_id)
      .all<{ request_id: string; characters: number; credits_charged: number; status: string }>();
    const chunks = splitJobText(TWO_CHUNKS);
    expect(results).toEqual(chunks.map((chunk) => ({ request_id: `${job.id}.${chunk.index}.1`, characters: chunk.characters, credits_charged: chunk.characters, status: 'completed' })));
    expect(results.reduce((sum, row) => sum + row.credits_charged, 0)).toBe(job.characters);

    const usage = (await (await pool.edge.fetch('/v1/usage', { key })).json()) as { totals: { requests: number; characters: number; credits_charged: number } };
    expect(usage.totals).toMatchObject({ characters: job.characters, credits_charged: job.characters });
  });
});
