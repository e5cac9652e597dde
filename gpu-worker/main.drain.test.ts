import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';
import { type FakeEdge, startFakeEdge } from './pool/fake-edge.ts';

const LONG = Array.from({ length: 50 }, (_, i) => `Sentence ${i} is here to make the stream last a good while.`).join(' ');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

let edge: FakeEdge;
let worker: GpuWorkerHarness;
beforeAll(async () => {
  edge = await startFakeEdge(TEST_WORKER_SECRET);
  worker = await startGpuWorker({ edgeUrl: edge.url, env: { HEARTBEAT_MS: '200', MAX_STREAMS: '4', DRAIN_GRACE_MS: '60000' } });
});
afterAll(async () => {
  await worker?.stop();
  await edge?.close();
});

const synthesize = (input: string) => signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input }) });
const readyz = async () => {
  const response = await fetch(`${worker.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; active: number } };
};

describe('gpu-worker in a pool', () => {
  it('joins at once, saying where it is and what it serves', async () => {
    await expect.poll(() => edge.accepted()[0], { timeout: 5_000 }).toMatchObject({
      url: worker.url,
      version,
      models: [{ id: 'espeak' }],
      capacity: 4,
      load: { active: 0, queued: 0, ttfa_ms: null },
      draining: false,
      leaving: false,
      interval_ms: 200,
    });
  });

  it('on SIGTERM refuses new work, finishes its open stream whole, leaves the pool and exits 0', async () => {
    const whole = (await (await synthesize(LONG)).response.arrayBuffer()).byteLength;

    const { response } = await synthesize(LONG);
    const reader = response.body!.getReader();
    let received = (await reader.read()).value!.byteLength;
    await expect.poll(() => edge.accepted().at(-1)?.load).toMatchObject({ active: 1, ttfa_ms: expect.any(Number) });

    const exited = worker.terminate();
    await expect.poll(readyz).toEqual({ status: 503, body: { status: 'draining', active: 1, queued: 0 } });
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    const refused = (await synthesize('Too late.')).response;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('worker_draining');
    expect((await signedWorkerFetch(worker.url, worker.secret, '/v1/catalog')).response.status).toBe(200);
    await expect.poll(() => edge.accepted().some((beat) => beat.draining && !beat.leaving)).toBe(true);

    // A slow reader: the stream outlives the signal by far, and still ends whole.
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      await sleep(5);
    }
    expect(received).toBe(whole);
    expect(await exited).toBe(0);
    expect(edge.accepted().at(-1)).toMatchObject({ draining: true, leaving: true, load: { active: 0 } });
    expect(worker.logs.map((entry) => entry.message)).toContain('stopped');
  });
});

describe('gpu-worker stopping with a stream that does not finish', () => {
  const spawned: GpuWorkerHarness[] = [];
  afterAll(() => Promise.all(spawned.map((stuck) => stuck.kill())));

  /** A worker with a long stream open that the client never reads: it cannot finish by itself. */
  async function stalled(env: Record<string, string> = {}) {
    const stuck = await startGpuWorker({ env });
    spawned.push(stuck);
    const { response } = await signedWorkerFetch(stuck.url, stuck.secret, '/v1/synthesize', { body: synthesisBody({ input: LONG }) });
    expect(response.status).toBe(200);
    // The Response, not just its body: undici cancels the unread body of a Response that is garbage collected.
    return { stuck, response };
  }

  it('cuts it once DRAIN_GRACE_MS has passed, and still exits 0', async () => {
    const { stuck, response } = await stalled({ DRAIN_GRACE_MS: '300' });
    expect(await stuck.terminate()).toBe(0);
    expect(stuck.logs.map((entry) => entry.message)).toContain('drain grace ran out: cutting open streams');
    await response.body!.cancel().catch(() => {});
  });

  it('exits at once on a second signal', async () => {
    const { stuck, response } = await stalled();
    const exited = stuck.terminate();
    await expect.poll(() => stuck.logs.some((entry) => entry.message === 'draining')).toBe(true);
    // The stream cannot end, and a drain that waited would run out its grace and exit 0: exit 1
    // on the second signal's path is exiting without waiting (no stopwatch needed).
    expect(await stuck.terminate()).toBe(1);
    expect(await exited).toBe(1);
    const messages = () => stuck.logs.map((entry) => entry.message);
    await expect.poll(messages).toContain('second signal: exiting without waiting for open streams'); // stdout may trail the exit
    expect(messages()).not.toContain('drain grace ran out: cutting open streams');
    await response.body!.cancel().catch(() => {});
  });
});
