import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { bodyLimit, BODY_LIMIT_ERRORS, MAX_BODY_BYTES } from '../http/body-limit.ts';
import { JSON_BODY_ERRORS } from '../http/json-body.ts';
import { MULTIPART_FORM_ERRORS } from '../http/multipart-form.ts';
import { createJob } from '../jobs/create-job.ts';
import { JOB_HOLD_ERRORS } from '../jobs/job-errors.ts';
import { JOB_CREATED_HEADERS } from '../jobs/job-headers.ts';
import { CreateJobSchema, JOB_REQUEST_ERRORS, readJobRequest } from '../jobs/job-request.ts';
import { JobViewSchema } from '../jobs/job-schemas.ts';
import { WEBHOOK_URL_ERRORS } from '../jobs/webhooks/webhook-url.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { POOL_ERRORS } from '../pool/worker-pool.ts';
import { SPEECH_REQUEST_ERRORS } from '../speech/errors.ts';
import { VOICE_NOT_FOUND_ERRORS } from '../voices/errors.ts';

/**
 * `POST /v1/audio/jobs`: a long text (up to 1,000,000 characters) becomes one audio file, rendered
 * chunk by chunk across the pool (docs/jobs.md). Answers 202 with the job at once; its credits
 * are held until it ends, and it is charged the chunks it rendered.
 */
export const createJobRoute = new Hono<AppEnv>();

const createJobDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'createSpeechJob',
  summary: 'Create a long-form speech job',
  description:
    "Splits the text at paragraphs and sentences, renders the pieces on the pool's workers at once (live speech keeps priority), and joins them into one file of `response_format`. The job's characters are held from the balance at once (402 `insufficient_credits` when short) and it is charged those of the chunks it rendered. Follow it with `GET /v1/audio/jobs/{id}` or its `/events`, or play `/audio` while it renders. JSON with `input`, or multipart with the text as a `file` part (text/plain or text/markdown) and the other fields as form fields.",
  security: apiKeySecurity('speech'),
  requestBody: {
    content: {
      ...requestBody(CreateJobSchema).content,
      'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'The text, text/plain or text/markdown.' } } } },
    },
  },
  responses: {
    202: jsonResponse('The job, accepted. `Location` is its URL.', JobViewSchema, JOB_CREATED_HEADERS),
    ...errorResponses(API_KEY_ERRORS, BODY_LIMIT_ERRORS, JSON_BODY_ERRORS, MULTIPART_FORM_ERRORS, JOB_REQUEST_ERRORS, SPEECH_REQUEST_ERRORS, VOICE_NOT_FOUND_ERRORS, WEBHOOK_URL_ERRORS, JOB_HOLD_ERRORS, POOL_ERRORS),
  },
});

createJobRoute.post('/v1/audio/jobs', createJobDocs, apiKeyAuth('speech'), bodyLimit(MAX_BODY_BYTES.job), async (c) => {
  const job = await createJob(c, await readJobRequest(c));
  return c.json(job, 202, { location: `/v1/audio/jobs/${job.id}` });
});
