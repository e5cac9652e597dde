import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { jobNotFound } from './job-errors.ts';
import { jobObject } from './job-stub.ts';
import type { JobLayout } from './job-types.ts';

const JOB_ID = /^job_[0-9a-f]{24}$/;

/**
 * The object of the job named in the path (its id checked for shape). The object itself answers
 * only its owner: `viewFor` and `cancel` take the caller's account, and `ownedJobLayout` checks it.
 */
export function jobInPath(c: Context<AppEnv>): { id: string; stub: ReturnType<typeof jobObject>; accountId: string } {
  const id = c.req.param('id') ?? '';
  if (!JOB_ID.test(id)) throw jobNotFound(id);
  return { id, stub: jobObject(c.env, id), accountId: c.get('apiKey').account_id };
}

/** The job named in the path and how far its file is, when it is the caller's account's; 404 `job_not_found` otherwise (another account's job too). */
export async function ownedJobLayout(c: Context<AppEnv>): Promise<{ id: string; stub: ReturnType<typeof jobObject>; layout: JobLayout }> {
  const { id, stub, accountId } = jobInPath(c);
  const layout = await stub.layout();
  if (!layout || layout.spec.account_id !== accountId) throw jobNotFound(id);
  return { id, stub, layout };
}
