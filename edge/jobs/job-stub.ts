import type { Env } from '../env.ts';
import type { JobDO } from './job-do.ts';

/** The Durable Object of a job: one per job id. */
export const jobObject = (env: Env, jobId: string): DurableObjectStub<JobDO> => env.JOBS.get(env.JOBS.idFromName(jobId));
