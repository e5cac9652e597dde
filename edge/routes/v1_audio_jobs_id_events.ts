import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { JOB_NOT_FOUND_ERRORS, jobNotFound } from '../jobs/job-errors.ts';
import { FINISHED } from '../jobs/job-types.ts';
import { jobInPath } from '../jobs/owned-job.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses } from '../openapi/index.ts';
import { JOB_ID_PARAMETER } from './v1_audio_jobs_id.ts';

/** `GET /v1/audio/jobs/{id}/events`: the job's progress as server-sent events, until it ends. */
export const jobEventsRoute = new Hono<AppEnv>();

/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

const jobEventsDocs = describeRoute({
  tags: ['Jobs'],
  operationId: 'getSpeechJobEvents',
  summary: "Follow a speech job's progress",
  description:
    'Server-sent events: `progress` (the job as `GET /v1/audio/jobs/{id}` shows it) at once and at each change (a chunk queued, started, stored or retried), then one of `completed`, `failed` or `cancelled` with the job, and the stream ends. `id:` is the job\'s `version`; a reconnect with `Last-Event-ID` starts after it. A reconnect after the finished job\'s last event is answered 204, which tells an EventSource to stop reconnecting.',
  security: apiKeySecurity('speech'),
  parameters: [JOB_ID_PARAMETER],
  responses: {
    200: { description: 'The events.', content: { 'text/event-stream': { schema: { type: 'string' } } } },
    204: { description: 'The job has ended and `Last-Event-ID` is its last event: nothing more will come.' },
    ...errorResponses(API_KEY_ERRORS, JOB_NOT_FOUND_ERRORS),
  },
});

jobEventsRoute.get('/v1/audio/jobs/:id/events', jobEventsDocs, apiKeyAuth('speech'), async (c) => {
  const { id, stub, accountId } = jobInPath(c);
  const first = await stub.viewFor(accountId);
  if (!first) throw jobNotFound(id);
  const encoder = new TextEncoder();
  let seen = Number(c.req.header('last-event-id') ?? -1);
  if (!Number.isInteger(seen)) seen = -1;
  // Held open, such a stream would only ever send keepalives, and an EventSource reconnects after every close but a 204.
  if (FINISHED.has(first.status) && first.version <= seen) return c.body(null, 204);
  const signal = c.req.raw.signal;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (signal.aborted) return controller.close();
        const view = (await stub.view())!;
        if (view.version > seen) {
          seen = view.version;
          const finished = FINISHED.has(view.status);
          controller.enqueue(encoder.encode(`id: ${view.version}\nevent: ${finished ? view.status : 'progress'}\ndata: ${JSON.stringify(view)}\n\n`));
          if (finished) controller.close();
          return;
        }
        const version = await stub.watch(seen, KEEPALIVE_MS);
        if (version <= seen) {
          controller.enqueue(encoder.encode(': keepalive\n\n'));
          return;
        }
      }
    },
  });
  // `encodeBody: 'manual'` with no content-encoding: workerd neither compresses nor buffers the events.
  return new Response(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' }, encodeBody: 'manual' });
});
