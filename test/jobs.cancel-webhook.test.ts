import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../edge/jobs/webhooks/signing.ts';
import { longText } from './fixtures/long-text.ts';
import { settledBalance } from './harness/edge.ts';
import { flushLedger } from './harness/ledger.ts';
import { completedJob, createJob, followEvents, getJob, jobOutcome, jobWhen, storedChunkObjects, workerAttempts } from './harness/jobs.ts';
import { useStack } from './harness/stack.ts';

// Cancelling a job mid-way, its retention, and its webhook: one worker; audio kept 3 s after a job
// ends; webhook retries 50 ms apart, doubling.
const stack = useStack({ edgeVars: { WEBHOOK_RETRY_BASE_MS: '50', JOB_RETENTION_SECONDS: '3' } });
const CREDITS = 1_000_000;

describe('cancelling a job mid-way', () => {
  it('dispatches no chunk after the cancel, charges only the chunks rendered, and releases the rest', { timeout: 120_000 }, async () => {
    const { edge, worker } = stack;
    const { key, account_id: accountId } = await edge.createKey();
    const job = await createJob(edge, key, { input: longText(30_000, 3), response_format: 'mp3' });
    await followEvents(edge, key, job.id, (view) => view.progress.chunks_done >= 2);
    const cancel = await edge.fetch(`/v1/audio/jobs/${job.id}`, { method: 'DELETE', key });
    const cancelledAt = Date.now();
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { status: string }).status).toBe('cancelled');

    // Every attempt is settled and the hold given back; then a job created after it has run
    // through the same queue, behind the cancelled job's last messages.
    const afterCancel = await settledBalance(edge, key);
    await completedJob(edge, key, { input: 'After the cancel. A short one.' });

    // No attempt of the cancelled job reached the worker after the cancel.
    const attempts = workerAttempts(worker, job.id);
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) expect(attempt.start, attempt.attempt).toBeLessThanOrEqual(cancelledAt);

    // Charged the characters of the chunks it rendered, and nothing else: the ledger says the same.
    const finished = await jobOutcome(edge, key, job.id);
    expect(finished.status).toBe('cancelled');
    expect(finished.progress.chunks_done).toBeLessThan(job.chunks);
    expect(afterCancel).toBe(CREDITS - finished.progress.characters_done);
    await flushLedger(edge, accountId);
    const db = await edge.mf.getD1Database('DB');
    const ledger = await db
      .prepare(
        "SELECT count(*) AS rows, coalesce(sum(kind = 'job_chunk'), 0) AS chunk_rows, coalesce(sum(credits_charged), 0) AS charged, coalesce(sum(characters), 0) AS characters FROM usage_ledger WHERE request_id LIKE ? || '.%'",
      )
      .bind(job.id)
      .first<{ rows: number; chunk_rows: number; charged: number; characters: number }>();
    const rendered = finished.progress.characters_done;
    expect(ledger).toEqual({ rows: finished.progress.chunks_done, chunk_rows: finished.progress.chunks_done, charged: rendered, characters: rendered });
  });
});

describe("a job's retention", () => {
  it('deletes its stored audio and words once it is over: the job stays readable, its audio is 410', { timeout: 60_000 }, async () => {
    const { edge, key } = stack;
    const job = await completedJob(edge, key, { input: 'Kept for three seconds. Then gone.' });
    expect((await edge.fetch(`/v1/audio/jobs/${job.id}/audio`, { key })).status).toBe(200);
    expect((await storedChunkObjects(edge, job.id)).audio.length).toBe(job.chunks);
    const expiresAt = Date.parse((await getJob(edge, key, job.id)).expires_at!);
    // The job's alarm purges at expires_at: waited for by reading what it deletes.
    const deadline = expiresAt + 20_000;
    while ((await storedChunkObjects(edge, job.id)).audio.length > 0) {
      if (Date.now() > deadline) throw new Error(`job ${job.id}'s audio was still stored 20 s after it expired`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await storedChunkObjects(edge, job.id)).words).toEqual([]);
    expect((await getJob(edge, key, job.id)).status).toBe('completed');
    for (const part of ['audio', 'timestamps', 'subtitles']) {
      const response = await edge.fetch(`/v1/audio/jobs/${job.id}/${part}`, { key });
      expect(response.status, part).toBe(410);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('job_audio_deleted');
    }
  });
});

/** A local receiver of webhooks: answers `status`, and keeps what it was sent. */
async function receiver(status: number): Promise<{ url: string; received: Array<{ headers: IncomingMessage['headers']; body: string }>; server: Server }> {
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks/tts`, received, server };
}

describe("a job's webhook", () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  let secret = '';
  beforeAll(async () => {
    const response = await stack.edge.fetch('/v1/webhooks/secret', { key: stack.key });
    secret = ((await response.json()) as { secret: string }).secret;
  });

  it('arrives once when the job completes, signed with the account\'s secret (and a wrong secret does not verify)', { timeout: 60_000 }, async () => {
    const hook = await receiver(200);
    servers.push(hook.server);
    const job = await createJob(stack.edge, stack.key, { input: 'A job with a webhook. It says so when it is done.', webhook_url: hook.url, metadata: { book: 'seven' } });
    const done = await jobWhen(stack.edge, stack.key, job.id, (view) => view.status === 'completed' && view.webhook.status !== 'pending');
    expect(done.webhook).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(hook.received).toHaveLength(1);
    const [delivery] = hook.received;
    const headers = Object.fromEntries(Object.entries(delivery!.headers).map(([name, value]) => [name, String(value)]));
    expect(await verifyWebhook(secret, headers, delivery!.body)).toBe(true);
    expect(await verifyWebhook(`whsec_${Buffer.from('not the secret, 32 bytes long!!!').toString('base64')}`, headers, delivery!.body)).toBe(false);
    expect(await verifyWebhook(secret, headers, delivery!.body.replace('completed', 'failed'))).toBe(false);
    const event = JSON.parse(delivery!.body) as { type: string; data: { id: string; status: string; metadata: Record<string, string> } };
    expect(event).toMatchObject({ type: 'job.completed', data: { id: job.id, status: 'completed', metadata: { book: 'seven' } } });
  });

  it('to an unreachable URL is retried, then given up on, and the job completes and says so', { timeout: 60_000 }, async () => {
    const hook = await receiver(503);
    servers.push(hook.server);
    const job = await createJob(stack.edge, stack.key, { input: 'Nobody listens at this hook.', webhook_url: hook.url });
    const last = await jobWhen(stack.edge, stack.key, job.id, (view) => view.status === 'completed' && view.webhook.status !== 'pending');
    expect(last.status).toBe('completed');
    expect(last.webhook.status).toBe('failed');
    expect(last.webhook.attempts).toBe(hook.received.length);
    expect(hook.received.length).toBeGreaterThan(1);
    expect(last.webhook.last_error).toContain('503');
    // Retries of one event carry its id.
    expect(new Set(hook.received.map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);

    // A URL where nothing listens at all: refused connections, retried, the same outcome.
    const nowhere = await receiver(200);
    await new Promise((resolve) => nowhere.server.close(resolve));
    const lost = await createJob(stack.edge, stack.key, { input: 'Nothing at all listens here.', webhook_url: nowhere.url });
    const lostDone = await jobWhen(stack.edge, stack.key, lost.id, (view) => view.status === 'completed' && view.webhook.status !== 'pending');
    expect(lostDone.webhook).toMatchObject({ status: 'failed' });
    expect(lostDone.webhook.attempts).toBeGreaterThan(1);
  });
});
