import { afterAll, beforeAll, expect, vi } from 'vitest';
import { type EdgeHarness, startEdge } from './edge.ts';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from './gpu-worker.ts';

/** A worker as `GET /admin/pool` shows it: its load as of its last heartbeat. */
export interface PoolWorker {
  url: string;
  load: { active: number; queued: number; ttfa_ms: number | null };
}

/**
 * One real worker serving one stream at a time, joined by heartbeat (every 100 ms), behind an edge
 * whose first-audio budget (1 ms) any full worker exceeds: with its slot playing, a new stream is
 * shed. For load-shedding tests. Read the fields inside tests: `beforeAll` fills them in.
 */
export function useOneSlotPool(edgeVars: Record<string, string> = {}): { edge: EdgeHarness; key: string; worker: GpuWorkerHarness; pool(): Promise<PoolWorker[]> } {
  const harness = {
    pool: async () => ((await (await harness.edge.admin('GET', '/admin/pool')).json()) as { data: PoolWorker[] }).data,
  } as { edge: EdgeHarness; key: string; worker: GpuWorkerHarness; pool(): Promise<PoolWorker[]> };
  beforeAll(async () => {
    harness.edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: { FIRST_AUDIO_BUDGET_MS: '1', ...edgeVars } });
    harness.key = (await harness.edge.createKey()).key;
    harness.worker = await startGpuWorker({ env: { EDGE_URL: harness.edge.url, HEARTBEAT_MS: '100', MAX_STREAMS: '1' } });
    await vi.waitFor(async () => expect(await harness.pool()).toHaveLength(1), { timeout: 10_000 });
  });
  afterAll(async () => {
    await harness.edge?.dispose();
    await harness.worker?.stop();
  });
  return harness;
}
