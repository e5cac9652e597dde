import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerSynthesisRequest } from '../shared/protocol/worker-api.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';

const LONG = Array.from({ length: 50 }, (_, i) => `Sentence ${i} is here to make the stream last a good while.`).join(' ');
const QUEUE_DEADLINE_MS = 2_000;

let worker: GpuWorkerHarness;
beforeAll(async () => {
  // Two slots, one kept for live speech; one live and one background request may wait, the latter for QUEUE_DEADLINE_MS.
  worker = await startGpuWorker({
    env: { MAX_STREAMS: '2', MAX_QUEUED: '1', BACKGROUND_MAX_QUEUED: '1', BACKGROUND_QUEUE_TIMEOUT_MS: String(QUEUE_DEADLINE_MS) },
  });
});
afterAll(() => worker?.stop());

/** A request sent; its response once the worker answers (a queued one answers when it gets its slot). */
function synthesize(overrides: Partial<WorkerSynthesisRequest>) {
  const request_id = `priority-${crypto.randomUUID()}`;
  const abort = new AbortController();
  const sentAt = performance.now();
  const response = signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', {
    body: synthesisBody({ request_id, ...overrides }),
    signal: abort.signal,
  }).then(({ response }) => ({ response, afterMs: performance.now() - sentAt }));
  response.catch(() => {}); // cut by the test
  return { request_id, response, cut: () => abort.abort() };
}

/** A long stream holding a slot, its first audio read. */
async function holdSlot(priority: WorkerSynthesisRequest['priority']) {
  const stream = synthesize({ input: LONG, priority });
  const { response } = await stream.response;
  expect(response.status).toBe(200);
  await response.body!.getReader().read();
  return stream;
}

async function gauge(name: string, priority: string): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  return Number(new RegExp(`^${name}\\{priority="${priority}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
}

const readyz = async () => (await (await fetch(`${worker.url}/readyz`)).json()) as { active: number; queued: number };

/** The worker's Server-Timing queue wait, ms. */
const queueMs = (response: Response) => Number(/queue;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1]);

describe('gpu-worker priorities', () => {
  it('starts a live request at once while background streams hold all they may; a waiting background request goes on when its slot frees', async () => {
    const chunk = await holdSlot('background');
    const waiting = synthesize({ input: 'The next chunk of the book.', priority: 'background' });
    await expect.poll(() => gauge('tts_queue_depth', 'background')).toBe(1);
    expect(await gauge('tts_active_streams', 'background')).toBe(1);

    // The slot kept for live speech is free: the live request is not queued behind the chunk.
    const live = synthesize({ input: 'Someone is listening.' });
    const { response: liveResponse } = await live.response;
    expect(liveResponse.status).toBe(200);
    expect(queueMs(liveResponse)).toBeLessThan(50);
    await liveResponse.arrayBuffer();
    expect(await worker.logLine('synthesized', live.request_id)).toMatchObject({ priority: 'live' });

    // The live stream ended; its slot stays kept: the chunk still waits for the background slot.
    expect(await gauge('tts_queue_depth', 'background')).toBe(1);
    chunk.cut();
    const { response: waitedResponse } = await waiting.response;
    expect(waitedResponse.status).toBe(200);
    expect(queueMs(waitedResponse)).toBeGreaterThan(0);
    await waitedResponse.arrayBuffer();
    expect(await worker.logLine('synthesized', waiting.request_id)).toMatchObject({ priority: 'background' });
    expect(await worker.logLine('synthesis cancelled', chunk.request_id)).toMatchObject({ priority: 'background' });
    await expect.poll(readyz).toMatchObject({ active: 0, queued: 0 });
  });

  it('answers 503 worker_busy to a background request once their queue is full, and when its queue deadline passes', async () => {
    const chunk = await holdSlot('background');
    const waiting = synthesize({ input: 'Waits, then gives up.', priority: 'background' });
    await expect.poll(() => gauge('tts_queue_depth', 'background')).toBe(1);

    const { response: full, afterMs } = await synthesize({ priority: 'background' }).response;
    expect(full.status).toBe(503);
    expect(afterMs).toBeLessThan(QUEUE_DEADLINE_MS);
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe('worker_busy');

    const { response: timedOut, afterMs: waitedMs } = await waiting.response;
    expect(timedOut.status).toBe(503);
    expect(((await timedOut.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'worker_busy', message: /queue deadline/ });
    expect(waitedMs).toBeGreaterThanOrEqual(QUEUE_DEADLINE_MS - 50);
    chunk.cut();
    await expect.poll(readyz).toMatchObject({ active: 0, queued: 0 });
  });

  it('gives a freed slot to a waiting live request before a background request that waited longer', async () => {
    const live = await holdSlot('live');
    const chunk = await holdSlot('background');
    const waitingChunk = synthesize({ input: 'A chunk that came first.', priority: 'background' });
    await expect.poll(() => gauge('tts_queue_depth', 'background')).toBe(1);
    const waitingLive = synthesize({ input: 'A listener who came second.' });
    await expect.poll(() => gauge('tts_queue_depth', 'live')).toBe(1);

    chunk.cut(); // frees the background slot: the live request takes it
    const { response } = await waitingLive.response;
    expect(response.status).toBe(200);
    expect(await gauge('tts_queue_depth', 'background')).toBe(1);
    await response.arrayBuffer();
    // The live request done, the chunk gets the background slot.
    expect((await waitingChunk.response).response.status).toBe(200);
    live.cut();
    await expect.poll(readyz).toMatchObject({ active: 0, queued: 0 });
  });

  it('refuses a priority it does not know as a protocol mismatch', async () => {
    const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', {
      body: JSON.stringify({ ...JSON.parse(synthesisBody()), priority: 'urgent' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('priority');
  });
});
