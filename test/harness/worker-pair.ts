import { afterAll, afterEach, beforeAll } from 'vitest';
import { type EdgeHarness, startEdge } from './edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from './gpu-worker.ts';

/** Two real workers behind one edge, for tests that kill one: the other must finish its work. */
export interface WorkerPair {
  workers: GpuWorkerHarness[];
  edge: EdgeHarness;
  key: string;
}

const isDead = (worker: GpuWorkerHarness) => worker.process.exitCode !== null || worker.process.signalCode !== null;

/**
 * Starts the pair before the file's tests and stops it after them; after each test, killed
 * workers are replaced (and the edge restarted to know them), so every test starts with two.
 * Read the fields inside tests: `beforeAll` fills them in.
 */
export function useWorkerPair(options: { edgeVars?: Record<string, string> } = {}): WorkerPair {
  const pair = { workers: [] } as unknown as WorkerPair;
  const start = async (workers: GpuWorkerHarness[]) => {
    const edge = await startEdge({ workerUrls: workers.map((w) => w.url), workerSecret: workers[0]!.secret, ...(options.edgeVars ? { vars: options.edgeVars } : {}) });
    Object.assign(pair, { workers, edge, key: (await edge.createKey()).key });
  };
  beforeAll(async () => start(await Promise.all([startGpuWorker(), startGpuWorker()])));
  afterEach(async () => {
    const dead = pair.workers.filter(isDead);
    if (dead.length === 0) return;
    const fresh = await Promise.all(dead.map(() => startGpuWorker()));
    await pair.edge.dispose();
    await start([...pair.workers.filter((w) => !isDead(w)), ...fresh]);
  });
  afterAll(async () => {
    await pair.edge?.dispose();
    await Promise.all(pair.workers.map((w) => w.stop()));
  });
  return pair;
}
