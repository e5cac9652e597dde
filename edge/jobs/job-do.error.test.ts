import { expect, it } from 'vitest';
import { settledBalance } from '../../test/harness/edge.ts';
import { useFaultyPool } from '../../test/harness/faulty-pool.ts';
import { createJob, finishedJob } from '../../test/harness/jobs.ts';

// A job whose chunks find no worker that will take them: the pool's one worker (a stand-in in
// front of a real one, test/harness/faulty-worker.ts) answers every synthesis 500. Its chunks
// wait without counting attempts, until JOB_MAX_WAIT_SECONDS (here 2) fails the job.
const pool = useFaultyPool({ JOB_MAX_WAIT_SECONDS: '2' });

it('fails a job whose chunk waited longer than JOB_MAX_WAIT_SECONDS for a worker, says why, and charges nothing', { timeout: 90_000 }, async () => {
  pool.faulty.mode = 'error';
  const { key } = await pool.edge.createKey();
  const job = await createJob(pool.edge, key, { input: 'Nobody will say this. No worker takes it.' });
  const { job: finished } = await finishedJob(pool.edge, key, job.id, 60_000);
  expect(finished.status).toBe('failed');
  expect(finished.error?.code).toBe('no_worker_available');
  expect(finished.error?.message).toMatch(/waited over 2 s for a stream slot or a worker/);
  expect(finished.progress.chunks_done).toBe(0);
  // Waiting is not failing: the attempts that found no worker were not counted as retries.
  expect(finished.progress.retries).toBe(0);
  expect(pool.faulty.requests).toBeGreaterThan(0);
  expect(await settledBalance(pool.edge, key)).toBe(1_000_000);
});
