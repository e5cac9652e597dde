import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type EdgeHarness, settledBalance, startEdge } from '../../test/harness/edge.ts';
import { type FaultyWorker, startFaultyWorker } from '../../test/harness/faulty-worker.ts';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from '../../test/harness/gpu-worker.ts';
import { createJob, finishedJob } from '../../test/harness/jobs.ts';

// A job whose chunks find no worker that will take them: the pool's one worker (a stand-in in
// front of a real one, test/harness/faulty-worker.ts) answers every synthesis 500. Its chunks
// wait without counting attempts, until JOB_MAX_WAIT_SECONDS (here 2) fails the job.
const HEARTBEAT_MS = 1_000;
let real: GpuWorkerHarness;
let edge: EdgeHarness;
let faulty: FaultyWorker;
beforeAll(async () => {
  real = await startGpuWorker();
  edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: { JOB_MAX_WAIT_SECONDS: '2' } });
  faulty = await startFaultyWorker({ edgeUrl: edge.url, secret: TEST_WORKER_SECRET, realWorker: real.url, heartbeatMs: HEARTBEAT_MS });
  await vi.waitFor(async () => expect(((await (await edge.admin('GET', '/admin/pool')).json()) as { data: unknown[] }).data).toHaveLength(1), { timeout: 10_000 });
});
afterAll(async () => {
  await faulty?.stop();
  await edge?.dispose();
  await real?.stop();
});

it('fails a job whose chunk waited longer than JOB_MAX_WAIT_SECONDS for a worker, says why, and charges nothing', { timeout: 90_000 }, async () => {
  faulty.mode = 'error';
  const { key } = await edge.createKey();
  const job = await createJob(edge, key, { input: 'Nobody will say this. No worker takes it.' });
  const { job: finished } = await finishedJob(edge, key, job.id, 60_000);
  expect(finished.status).toBe('failed');
  expect(finished.error?.code).toBe('no_worker_available');
  expect(finished.error?.message).toMatch(/waited over 2 s for a stream slot or a worker/);
  expect(finished.progress.chunks_done).toBe(0);
  // Waiting is not failing: the attempts that found no worker were not counted as retries.
  expect(finished.progress.retries).toBe(0);
  expect(faulty.requests).toBeGreaterThan(0);
  expect(await settledBalance(edge, key)).toBe(1_000_000);
});
