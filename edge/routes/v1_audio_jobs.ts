import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { JobListSchema } from '../jobs/job-schemas.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, errorResponses, jsonResponse, queryParameters } from '../openapi/index.ts';
import { D1JobIndex } from '../storage/jobs.ts';

/** `GET /v1/audio/jobs`: the account's jobs, newest first, a page at a time. */
export const listJobsRoute = new Hono<AppEnv>();

const ListJobsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Jobs per page, 1 to 100 (default 20).'),
  after: z.string().optional().describe("The previous page's `next_after`: the jobs created before that one."),
});
const LIST_ERRORS = errorCatalogue({ 400: ['invalid_parameter', 'invalid_cursor'] });

const listJobsDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'listSpeechJobs',
  summary: 'List speech jobs',
  description: "The account's jobs, newest first (each job's status as of its last change; `GET /v1/audio/jobs/{id}` has its progress).",
  security: apiKeySecurity('speech'),
  responses: { 200: jsonResponse('A page of jobs.', JobListSchema), ...errorResponses(API_KEY_ERRORS, LIST_ERRORS) },
});

listJobsRoute.get('/v1/audio/jobs', listJobsDocs, queryParameters(ListJobsQuerySchema), apiKeyAuth('speech'), async (c) => {
  const parsed = ListJobsQuerySchema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidRequest('invalid_parameter', `${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
  }
  const page = await new D1JobIndex(c.env.DB).page(c.get('apiKey').account_id, parsed.data);
  if (!page) throw invalidRequest('invalid_cursor', `after: the account has no job ${JSON.stringify(parsed.data.after)}.`, 'after');
  const data = page.jobs.map(({ account_id: _account, ...job }) => job);
  return c.json({ object: 'list' as const, data, has_more: page.next !== null, next_after: page.next });
});
