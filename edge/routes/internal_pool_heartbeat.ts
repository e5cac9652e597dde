import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { POOL_PATHS, WorkerHeartbeatSchema } from '../../shared/protocol/pool.ts';
import { ReplayGuard, SIGNATURE_HEADERS, verifyRequest } from '../../shared/protocol/signing.ts';
import type { AppEnv } from '../env.ts';
import { bodyLimit, MAX_BODY_BYTES } from '../http/body-limit.ts';
import { errorCatalogue, errorResponses, jsonResponse, requestBody, WORKER_SIGNATURE_SECURITY } from '../openapi/index.ts';
import { refusedHeartbeats } from '../pool/refused-heartbeats.ts';

/**
 * `POST /internal/pool/heartbeat`: a worker joins the pool, or says it is still there, how
 * loaded it is, that it is draining or leaving. Signed like every edge-worker message: a process
 * without the shared secret cannot join.
 */
export const poolHeartbeatRoute = new Hono<AppEnv>();

// Per isolate: each signature is accepted once.
const replay = new ReplayGuard();

const heartbeatDocs = describeRoute({
  tags: ['Internal'],
  operationId: 'workerHeartbeat',
  summary: 'Worker heartbeat',
  description: 'A gpu-worker joins the pool, or says it is still there, how loaded it is, that it is draining or leaving.',
  security: WORKER_SIGNATURE_SECURITY,
  parameters: [
    { in: 'header', name: SIGNATURE_HEADERS.timestamp, required: true, schema: { type: 'string' }, description: 'When the worker signed, ms since the epoch.' },
  ],
  requestBody: requestBody(WorkerHeartbeatSchema),
  responses: {
    200: jsonResponse('The pool has the heartbeat.', z.object({ ok: z.literal(true) })),
    ...errorResponses(errorCatalogue({ 400: ['invalid_json', 'invalid_parameter'], 401: ['invalid_signature'], 413: ['body_too_large'] })),
  },
});

poolHeartbeatRoute.post(
  POOL_PATHS.heartbeat,
  heartbeatDocs,
  bodyLimit(MAX_BODY_BYTES.poolHeartbeat),
  async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const url = new URL(c.req.url);
    const verdict = await verifyRequest(
      c.env.WORKER_SECRET,
      { method: 'POST', path: url.pathname + url.search, body, headers: Object.fromEntries(c.req.raw.headers) },
      replay,
    );
    if (!verdict.ok) {
      // Logged and shown at GET /admin/pool (unverified), so an operator sees why the worker is not in the pool.
      refusedHeartbeats.refused(body, verdict.reason);
      throw new ApiError(401, 'authentication_error', 'invalid_signature', `Heartbeat refused: ${verdict.reason}.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw invalidRequest('invalid_json', 'The heartbeat is not JSON.');
    }
    const parsed = WorkerHeartbeatSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidRequest('invalid_parameter', `${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
    }
    await c.env.POOL.get(c.env.POOL.idFromName('pool')).heartbeat(parsed.data);
    refusedHeartbeats.accepted(parsed.data.url);
    return c.json({ ok: true });
  },
);
