import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { JOB_NOT_FOUND_ERRORS, jobNotFound } from '../jobs/job-errors.ts';
import { JobViewSchema } from '../jobs/job-schemas.ts';
import { jobInPath } from '../jobs/owned-job.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse } from '../openapi/index.ts';

/**
 * `GET /v1/audio/jobs/{id}`: a job's progress and outcome. `DELETE /v1/audio/jobs/{id}`: cancels
 * it. Another account's job is 404, exactly like one that never existed.
 */
export const jobByIdRoute = new Hono<AppEnv>();

export const JOB_ID_PARAMETER = { in: 'path', name: 'id', required: true, schema: { type: 'string' }, description: 'A job id, `job_…`.' } as const;

const getJobDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'getSpeechJob',
  summary: 'Get a speech job',
  description: 'Its status, progress (chunks done, in flight, failed, retried; characters, audio and bytes so far; an estimate of the time left), error and webhook delivery.',
  security: apiKeySecurity('speech'),
  parameters: [JOB_ID_PARAMETER],
  responses: { 200: jsonResponse('The job.', JobViewSchema), ...errorResponses(API_KEY_ERRORS, JOB_NOT_FOUND_ERRORS) },
});

const cancelJobDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'cancelSpeechJob',
  summary: 'Cancel a speech job',
  description:
    'No chunk is sent to a worker after it; chunks on workers are stopped and not charged; the credits still held go back to the balance. The audio stored so far is deleted when the retention ends (`expires_at`). Cancelling a finished job changes nothing.',
  security: apiKeySecurity('speech'),
  parameters: [JOB_ID_PARAMETER],
  responses: { 200: jsonResponse('The job, as the cancel left it.', JobViewSchema), ...errorResponses(API_KEY_ERRORS, JOB_NOT_FOUND_ERRORS) },
});

jobByIdRoute.get('/v1/audio/jobs/:id', getJobDocs, apiKeyAuth('speech'), async (c) => {
  const { id, stub, accountId } = jobInPath(c);
  const view = await stub.viewFor(accountId);
  if (!view) throw jobNotFound(id);
  return c.json(view);
});

jobByIdRoute.delete('/v1/audio/jobs/:id', cancelJobDocs, apiKeyAuth('speech'), async (c) => {
  const { id, stub, accountId } = jobInPath(c);
  const view = await stub.cancel(accountId);
  if (!view) throw jobNotFound(id);
  return c.json(view);
});
