import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speak } from './clips.ts';
import { type EdgeHarness, startEdge } from './harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from './harness/gpu-worker.ts';
import { isType, RealtimeClient } from './harness/realtime-client.ts';

// A worker whose WORKER_SECRET is not the edge's refuses the edge's signed requests with 401
// invalid_signature. That is the operator's mistake: the client must get another worker's
// answer or 502 worker_auth_failed, never the 401, and GET /admin/pool must say why.
const OTHER_SECRET = 'not-the-edge-secret-fedcba9876543210';
const HEARTBEAT_MS = 500;

let edge: EdgeHarness;
let key: string;
/** A port fixed in advance: the seed of WORKER_URLS, where workers with either secret take turns. */
let port: number;
let seedUrl: string;
let atPort: GpuWorkerHarness | undefined;
let good: GpuWorkerHarness | undefined;

interface PoolWorker {
  id: string | null;
  url: string;
  source: string;
  models: string[];
  health: string;
  unusable: { reason: string; since: string; message: string } | null;
}
interface RefusedHeartbeat {
  url: string;
  worker_id: string;
  reason: string;
}
const pool = async () => (await (await edge.admin('GET', '/admin/pool')).json()) as { data: PoolWorker[]; refused_heartbeats: RefusedHeartbeat[] };
const atPortEntry = async () => (await pool()).data.find((m) => m.url === seedUrl);
const refusedUrls = async () => (await pool()).refused_heartbeats.map((h) => h.url);

const startAtPort = (secret: string, heartbeatMs = HEARTBEAT_MS) =>
  startGpuWorker({ secret, edgeUrl: edge.url, args: ['--port', String(port)], env: { HEARTBEAT_MS: String(heartbeatMs) } });
const served = (worker: GpuWorkerHarness) => worker.logs.filter((entry) => entry.message === 'synthesized').map((entry) => entry.request_id as string);
const refusedSyntheses = (worker: GpuWorkerHarness) => worker.logs.filter((entry) => entry.message === 'refused unsigned request' && entry.path === '/v1/synthesize').length;

async function expectWorkerAuthFailed(response: Response): Promise<void> {
  const body = (await response.json()) as { error: { type: string; code: string; message: string } };
  expect(response.status).toBe(502);
  expect(body.error).toMatchObject({ type: 'internal_error', code: 'worker_auth_failed', message: expect.stringMatching(/misconfigured.*not a fault of your request or API key/) });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}

async function realtimeError(text?: string): Promise<string> {
  const client = await RealtimeClient.open(edge.url, { key });
  try {
    client.send({ type: 'config', response_format: 'pcm' });
    if (text !== undefined) {
      await client.waitFor(isType('ready'));
      client.send({ type: 'text', text, context_id: 'one' });
      client.send({ type: 'close', context_id: 'one' });
    }
    return (await client.waitFor(isType('error'))).code;
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  port = await freePort();
  seedUrl = `http://127.0.0.1:${port}`;
  edge = await startEdge({ workerUrls: [seedUrl], workerSecret: TEST_WORKER_SECRET, vars: {} });
  ({ key } = await edge.createKey());
  atPort = await startAtPort(OTHER_SECRET);
});
afterAll(async () => {
  await edge?.dispose();
  await Promise.all([atPort?.stop(), good?.stop()]);
});

describe('a worker on another WORKER_SECRET', () => {
  it('as the only seed: speech, the model list and a realtime config get 502 worker_auth_failed; /admin/pool shows the seed unusable and its refused heartbeat', async () => {
    await expectWorkerAuthFailed(await speak(edge, key, { input: 'Hello there.', response_format: 'pcm' }));
    await expectWorkerAuthFailed(await edge.fetch('/v1/models', { key }));
    expect(await realtimeError()).toBe('worker_auth_failed');

    expect(await atPortEntry()).toMatchObject({
      id: null,
      source: 'seed',
      models: [],
      health: 'unusable',
      unusable: { reason: 'worker_auth_failed', message: expect.stringMatching(/answered 401 .*WORKER_SECRET differs/) },
    });
    // Its heartbeats are refused too: the edge lists the claim (unverified) and both sides log it as an error.
    await expect.poll(refusedUrls).toContain(seedUrl);
    expect((await pool()).refused_heartbeats.find((h) => h.url === seedUrl)).toMatchObject({ reason: 'signature does not match', worker_id: expect.any(String) });
    expect(atPort!.logs.find((entry) => entry.level === 'error')?.message).toMatch(/different WORKER_SECRETs/);
    expect(edge.logs.some((line) => line.includes('"level":"error"') && line.includes('worker heartbeat refused'))).toBe(true);
    expect(edge.logs.some((line) => line.includes('"level":"error"') && line.includes('worker refused the edge signature'))).toBe(true);
  });

  it('beside a worker on the right secret: every request is served by that one', async () => {
    good = await startGpuWorker({ edgeUrl: edge.url, env: { HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    await expect.poll(async () => (await pool()).data.map((m) => m.url), { timeout: 10_000 }).toContain(good.url);
    for (let i = 0; i < 6; i++) {
      const response = await speak(edge, key, { input: `Served despite the bad seed, ${i}.`, response_format: 'pcm' });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      // The worker logs a stream once it has ended: its line may come after the client read the body.
      await expect.poll(() => served(good!)).toContain(response.headers.get('x-request-id'));
    }
    expect((await atPortEntry())?.health).toBe('unusable');
  });

  it('a registered worker restarted on another secret: the request it refuses goes to the good worker, and it is unusable until a heartbeat verifies', async () => {
    // The right secret at that URL: its verified heartbeat clears the seed's refusal. Its beats are a minute apart, so its
    // registration outlives it by minutes: the edge goes on routing to that URL after it is replaced.
    await atPort!.kill();
    atPort = await startAtPort(TEST_WORKER_SECRET, 60_000);
    await expect.poll(atPortEntry, { timeout: 10_000 }).toMatchObject({ source: 'registered', health: 'healthy', unusable: null });
    expect(await refusedUrls()).not.toContain(seedUrl);

    await atPort.kill();
    atPort = await startAtPort(OTHER_SECRET);
    // Both workers are idle, so each request goes to either at random; until one met the bad one, all are served.
    for (let i = 0; i < 40 && (await atPortEntry())?.health !== 'unusable'; i++) {
      const response = await speak(edge, key, { input: `Around the wrong secret, ${i}.`, response_format: 'pcm' });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    expect(await atPortEntry()).toMatchObject({ source: 'registered', health: 'unusable', unusable: { reason: 'worker_auth_failed' } });
    await expect.poll(() => refusedSyntheses(atPort!)).toBe(1);
    // Not routed to any more: every request is the good worker's.
    for (let i = 0; i < 6; i++) {
      const response = await speak(edge, key, { input: `Unusable now, ${i}.`, response_format: 'pcm' });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      await expect.poll(() => served(good!)).toContain(response.headers.get('x-request-id'));
    }
    expect(refusedSyntheses(atPort)).toBe(1);
    await expect.poll(refusedUrls).toContain(seedUrl);
  });

  it('with only that worker left: speech, voice design and a realtime chunk get 502 worker_auth_failed', async () => {
    await good!.terminate();
    await expect.poll(async () => (await pool()).data.map((m) => m.url), { timeout: 10_000 }).not.toContain(good!.url);

    await expectWorkerAuthFailed(await speak(edge, key, { input: 'Nobody to say this.', response_format: 'pcm' }));
    await expectWorkerAuthFailed(
      await edge.fetch('/v1/voices/design', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'A calm, low voice.' }) }),
    );
    expect(await realtimeError('Nobody to say this either.')).toBe('worker_auth_failed');
  });
});
