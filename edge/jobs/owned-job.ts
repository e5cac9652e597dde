import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { jobNotFound } from './job-errors.ts';
import { jobObject } from './job-stub.ts';
import type { JobLayout } from './job-types.ts';

const JOB_ID = /^job_[0-9a-f]{24}$/;

/** The job named in the path, when it is the caller's account's; 404 `job_not_found` otherwise (another account's job too). */
export async function ownedJob(c: Context<AppEnv>): Promise<{ id: string; stub: ReturnType<typeof jobObject>; layout: JobLayout }> {
  const id = c.req.param('id') ?? '';
  if (!JOB_ID.test(id)) throw jobNotFound(id);
  const stub = jobObject(c.env, id);
  const layout = await stub.layout();
  if (!layout || layout.spec.account_id !== c.get('apiKey').account_id) throw jobNotFound(id);
  return { id, stub, layout };
}
