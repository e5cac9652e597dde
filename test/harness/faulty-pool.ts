import { afterAll, beforeAll, expect, vi } from 'vitest';
import { type EdgeHarness, startEdge } from './edge.ts';
import { type FaultyWorker, startFaultyWorker } from './faulty-worker.ts';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from './gpu-worker.ts';

/** An edge whose pool is one stand-in worker (faulty-worker.ts) in front of a real one, joined by heartbeat. */
export interface FaultyPool {
  real: GpuWorkerHarness;
  edge: EdgeHarness;
  faulty: FaultyWorker;
}

const HEARTBEAT_MS = 1_000;

/**
 * Starts the pool before the calling file's tests, once the edge lists the stand-in, and stops it
 * after them. Read the fields inside tests: `beforeAll` fills them in.
 */
export function useFaultyPool(vars: Record<string, string> = {}): FaultyPool {
  const pool = {} as FaultyPool;
  beforeAll(async () => {
    pool.real = await startGpuWorker();
    pool.edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars });
    pool.faulty = await startFaultyWorker({ edgeUrl: pool.edge.url, secret: TEST_WORKER_SECRET, realWorker: pool.real.url, heartbeatMs: HEARTBEAT_MS });
    await vi.waitFor(async () => expect(((await (await pool.edge.admin('GET', '/admin/pool')).json()) as { data: unknown[] }).data).toHaveLength(1), { timeout: 10_000 });
  });
  afterAll(async () => {
    await pool.faulty?.stop();
    await pool.edge?.dispose();
    await pool.real?.stop();
  });
  return pool;
}
