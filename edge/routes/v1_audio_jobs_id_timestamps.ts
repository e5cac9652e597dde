import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { jobAudioDeleted, JOB_AUDIO_ERRORS, JOB_NOT_FOUND_ERRORS } from '../jobs/job-errors.ts';
import { JobTimestampsSchema } from '../jobs/job-schemas.ts';
import { fileWords } from '../jobs/job-words.ts';
import { ownedJobLayout } from '../jobs/owned-job.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse } from '../openapi/index.ts';
import { JOB_ID_PARAMETER } from './v1_audio_jobs_id.ts';

/** `GET /v1/audio/jobs/{id}/timestamps`: every word of the job's file, on the file's clock. */
export const jobTimestampsRoute = new Hono<AppEnv>();

const jobTimestampsDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'getSpeechJobTimestamps',
  summary: "Get a speech job's word timestamps",
  description:
    "Each word with its start and end in the job's file (ms) and its place in the job's text (code points). While the job renders: the words of the chunks done in order so far (`complete: false`).",
  security: apiKeySecurity('speech'),
  parameters: [JOB_ID_PARAMETER],
  responses: { 200: jsonResponse('The words.', JobTimestampsSchema), ...errorResponses(API_KEY_ERRORS, JOB_NOT_FOUND_ERRORS, JOB_AUDIO_ERRORS) },
});

jobTimestampsRoute.get('/v1/audio/jobs/:id/timestamps', jobTimestampsDocs, apiKeyAuth('speech'), async (c) => {
  const { id, stub, layout } = await ownedJobLayout(c);
  if (await stub.purged()) throw jobAudioDeleted(id);
  const head = JSON.stringify({ job_id: id, status: layout.status, complete: layout.status === 'completed' });
  // Streamed chunk by chunk: a book's words are more than an isolate should hold as one string.
  const encoder = new TextEncoder();
  const words = fileWords(c.env, layout);
  let first = true;
  let opened = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!opened) {
        opened = true;
        controller.enqueue(encoder.encode(`${head.slice(0, -1)},"words":[`));
        return;
      }
      const next = await words.next();
      if (next.done) {
        controller.enqueue(encoder.encode(']}'));
        controller.close();
        return;
      }
      if (next.value.length === 0) return;
      const text = next.value.map((word) => JSON.stringify(word)).join(',');
      controller.enqueue(encoder.encode(first ? text : `,${text}`));
      first = false;
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
});
