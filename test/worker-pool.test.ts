import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { speak } from './clips.ts';
import { type EdgeHarness, startEdge } from './harness/edge.ts';
import { type FaultyWorker, startFaultyWorker } from './harness/faulty-worker.ts';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from './harness/gpu-worker.ts';

// Three real workers that join the pool by heartbeat (no WORKER_URLS), behind the edge in workerd.
const HEARTBEAT_MS = 500;
let edge: EdgeHarness;
let key: string;
let workers: GpuWorkerHarness[] = [];

const join = () => startGpuWorker({ env: { EDGE_URL: edge.url, HEARTBEAT_MS: String(HEARTBEAT_MS), DRAIN_GRACE_MS: '60000' } });

interface PoolWorker {
  id: string;
  url: string;
  models: string[];
  draining: boolean;
  circuit: string;
  load: { active: number };
  last_heartbeat: string;
}
const pool = async () => ((await (await edge.admin('GET', '/admin/pool')).json()) as { data: PoolWorker[] }).data;
const served = (worker: GpuWorkerHarness) => worker.logs.filter((entry) => entry.message === 'synthesized').map((entry) => entry.request_id as string);

beforeAll(async () => {
  edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: {} });
  ({ key } = await edge.createKey());
  workers = await Promise.all([join(), join(), join()]);
  await vi.waitFor(async () => expect(await pool()).toHaveLength(3), { timeout: 10_000 });
});
afterAll(async () => {
  await edge?.dispose();
  await Promise.all(workers.map((w) => w.stop()));
});

describe('the worker pool', () => {
  it('lists its registered workers with their models, load and circuit at GET /admin/pool', async () => {
    const members = await pool();
    expect(members.map((m) => m.url).sort()).toEqual(workers.map((w) => w.url).sort());
    for (const member of members) {
      expect(member).toMatchObject({ models: ['espeak'], draining: false, circuit: 'closed', health: 'healthy' });
      expect(Date.now() - Date.parse(member.last_heartbeat)).toBeLessThan(10_000);
    }
  });

  it('forty concurrent requests all succeed, spread across the workers by load', async () => {
    const before = workers.map((w) => served(w).length);
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const response = await speak(edge, key, { input: `Request number ${i} of forty, spoken while the others are.`, response_format: 'pcm' });
        const body = await response.arrayBuffer();
        return response.status === 200 ? 200 : `${response.status} ${new TextDecoder().decode(body)}`;
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await expect.poll(() => workers.reduce((sum, w, i) => sum + served(w).length - before[i]!, 0)).toBe(40);
    const shares = workers.map((w, i) => served(w).length - before[i]!);
    // Every worker took a fair part; none took most of it.
    for (const share of shares) expect(share).toBeGreaterThanOrEqual(6);
  });

  it('a worker killed while idle: every later request succeeds, the pool drops it, and a new one serves at once', async () => {
    const [victim] = workers.splice(0, 1);
    await victim!.kill();
    for (let i = 0; i < 8; i++) {
      const response = await speak(edge, key, { input: `After the loss, request ${i}.`, response_format: 'pcm' });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    await expect.poll(async () => (await pool()).map((m) => m.url), { timeout: 10_000 }).not.toContain(victim!.url);

    const fresh = await join();
    workers.push(fresh);
    await expect.poll(async () => (await pool()).map((m) => m.url), { timeout: 5_000 }).toContain(fresh.url);
    const before = served(fresh).length;
    for (let i = 0; i < 12 && served(fresh).length === before; i++) await (await speak(edge, key, { input: `Hello newcomer ${i}.`, response_format: 'pcm' })).arrayBuffer();
    await expect.poll(() => served(fresh).length).toBeGreaterThan(before);
  });

  it('a draining worker gets no new requests and finishes its open stream', async () => {
    const long = Array.from({ length: 20 }, (_, i) => `Sentence ${i} of a long answer that keeps the stream open.`).join(' ');
    const whole = (await (await speak(edge, key, { input: long, response_format: 'pcm' })).arrayBuffer()).byteLength;
    const response = await speak(edge, key, { input: long, response_format: 'pcm' });
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    let received = (await reader.read()).value!.byteLength;
    const draining = workers.find((w) => w.logs.some((entry) => entry.request_id === requestId)) ?? (await busiest());
    const exited = draining.terminate();
    await expect.poll(async () => (await pool()).find((m) => m.url === draining.url)?.draining ?? true, { timeout: 5_000 }).toBe(true);

    const before = served(draining).length;
    for (let i = 0; i < 6; i++) expect((await speak(edge, key, { input: `While draining, ${i}.`, response_format: 'pcm' })).status).toBe(200);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect(received).toBe(whole);
    expect(await exited).toBe(0);
    // It served its open stream and nothing new.
    expect(served(draining).length - before).toBeLessThanOrEqual(1);
    expect(served(draining)).toContain(requestId);
    workers = workers.filter((w) => w !== draining);
  });
});

/** The worker with a stream open right now. */
async function busiest(): Promise<GpuWorkerHarness> {
  for (;;) {
    for (const worker of workers) {
      const stats = (await (await fetch(`${worker.url}/readyz`)).json()) as { active: number };
      if (stats.active > 0) return worker;
    }
  }
}

// Faults need a short first-byte deadline, which a loaded 2-core machine would trip for the
// healthy workers above: their own edge, with one real worker beside the faulty one.
describe('a worker that fails before the first byte', () => {
  let faultEdge: EdgeHarness;
  let faultKey: string;
  let healthy: GpuWorkerHarness;
  const faultPool = async () => ((await (await faultEdge.admin('GET', '/admin/pool')).json()) as { data: PoolWorker[] }).data;
  beforeAll(async () => {
    faultEdge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: { FIRST_BYTE_TIMEOUT_MS: '1500' } });
    ({ key: faultKey } = await faultEdge.createKey());
    healthy = await startGpuWorker({ env: { EDGE_URL: faultEdge.url, HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    await vi.waitFor(async () => expect(await faultPool()).toHaveLength(1), { timeout: 10_000 });
  });
  afterAll(async () => {
    await faultEdge?.dispose();
    await healthy?.stop();
  });

  it.each(['stall', 'error'] as const)('a worker that %ss before the first byte: its requests go elsewhere, its circuit opens, and closes once it recovers', async (mode) => {
    const faulty: FaultyWorker = await startFaultyWorker({ edgeUrl: faultEdge.url, secret: TEST_WORKER_SECRET, realWorker: healthy.url, heartbeatMs: HEARTBEAT_MS });
    faulty.mode = mode;
    try {
      await expect.poll(async () => (await faultPool()).map((m) => m.url), { timeout: 5_000 }).toContain(faulty.url);
      // Until it has failed three times, every request that met it went on to another worker.
      for (let i = 0; i < 40 && faulty.requests < 3; i++) {
        const response = await speak(faultEdge, faultKey, { input: `Around the fault, ${i}.`, response_format: 'pcm' });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
      expect(faulty.requests).toBe(3);
      expect((await faultPool()).find((m) => m.url === faulty.url)?.circuit).toBe('open');
      // Out of rotation: it gets nothing while open.
      for (let i = 0; i < 5; i++) await (await speak(faultEdge, faultKey, { input: `Open circuit ${i}.`, response_format: 'pcm' })).arrayBuffer();
      expect(faulty.requests).toBe(3);

      faulty.mode = 'healthy';
      await expect.poll(async () => {
        await (await speak(faultEdge, faultKey, { input: 'Probing.', response_format: 'pcm' })).arrayBuffer();
        return (await faultPool()).find((m) => m.url === faulty.url)?.circuit;
      }, { timeout: 30_000, interval: 200 }).toBe('closed');
    } finally {
      await faulty.stop();
    }
  });
});
