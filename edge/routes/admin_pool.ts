import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { WorkerLoadSchema } from '../../shared/protocol/pool.ts';
import type { AppEnv } from '../env.ts';
import { ADMIN_AUTH_ERRORS, adminAuth } from '../middleware/admin-auth.ts';
import { ADMIN_SECURITY, errorResponses, jsonResponse } from '../openapi/index.ts';
import { CIRCUIT_STATES } from '../pool/circuit-breaker.ts';
import { poolMembers } from '../pool/members.ts';
import { refusedHeartbeats } from '../pool/refused-heartbeats.ts';
import { workerAuth } from '../pool/worker-auth.ts';
import { breaker, inFlight } from '../pool/worker-pool.ts';

/**
 * `GET /admin/pool`: every worker the edge routes to: id, URL, models, capacity and load (as of
 * its last heartbeat), draining, last heartbeat, and its circuit and open requests as this
 * isolate sees them; whether it refused the edge's signature (`unusable`); and the heartbeats
 * this isolate refused lately, so an operator sees why a worker did not join.
 */
export const adminPoolRoute = new Hono<AppEnv>();

const PoolWorkerSchema = z
  .object({
    object: z.literal('worker'),
    id: z.string().nullable().describe('Null for a seed that refused the edge\'s signature before telling its id.'),
    url: z.string(),
    source: z.enum(['registered', 'seed']).describe('Joined by heartbeat, or a seed of `WORKER_URLS`.'),
    version: z.string().nullable(),
    models: z.array(z.string()),
    capacity: z.number().int(),
    load: WorkerLoadSchema,
    draining: z.boolean(),
    health: z
      .enum(['healthy', 'draining', 'failing', 'unusable'])
      .describe('Taking requests (`healthy`): its circuit is closed, it is not draining, and it accepts the edge\'s signature (else `unusable`).'),
    last_heartbeat: z.string().nullable(),
    circuit: z.enum(CIRCUIT_STATES).describe('As this edge isolate sees it.'),
    circuit_failures: z
      .object({ consecutive: z.number().int(), total: z.number().int() })
      .describe('Failures this edge isolate counted against it (connection errors, 5xx, stalls, refused signatures): since its last success (3 open the circuit), and in all.'),
    open_requests: z.number().int().describe('Requests this edge isolate has open there.'),
    unusable: z
      .object({ reason: z.literal('worker_auth_failed'), since: z.string(), message: z.string() })
      .nullable()
      .describe(
        'Not routed to, and why: it refused the edge\'s signed request (WORKER_SECRET differs). Until a seed answers its catalog again (asked every few seconds) or a registered worker sends a heartbeat that verifies. As this edge isolate sees it.',
      ),
  })
  .meta({ id: 'PoolWorker' });

const RefusedHeartbeatSchema = z
  .object({
    url: z.string().describe('The URL the heartbeat claims (unverified).'),
    worker_id: z.string().describe('The id it claims (unverified).'),
    reason: z.string().describe('Why its signature was refused; `signature does not match`: WORKER_SECRET differs.'),
    first_refused: z.string(),
    last_refused: z.string(),
    refusals: z.number().int(),
  })
  .meta({ id: 'RefusedHeartbeat' });

const poolDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'listPoolWorkers',
  summary: 'List the worker pool',
  security: ADMIN_SECURITY,
  responses: {
    200: jsonResponse(
      'Every worker the edge routes to, and the heartbeats it refused lately.',
      z.object({
        object: z.literal('list'),
        data: z.array(PoolWorkerSchema),
        refused_heartbeats: z
          .array(RefusedHeartbeatSchema)
          .describe('Heartbeats this edge isolate refused in the last minute (up to 16), by claimed URL: unverified, never routed to.'),
      }),
    ),
    ...errorResponses(ADMIN_AUTH_ERRORS),
  },
});

adminPoolRoute.get('/admin/pool', poolDocs, adminAuth, async (c) => {
  const members = await poolMembers(c.env);
  return c.json({
    object: 'list',
    data: members.map((m): z.infer<typeof PoolWorkerSchema> => {
      const circuit = breaker.state(m.url);
      const unusable = workerAuth.unusable(m);
      return {
        object: 'worker',
        id: m.worker_id,
        url: m.url,
        source: m.source,
        version: m.version,
        models: m.models.map((model) => model.id),
        capacity: m.capacity,
        load: m.load,
        draining: m.draining,
        // Taking requests: it accepts the edge's signature, is not draining, and its circuit is closed.
        health: unusable ? 'unusable' : m.draining ? 'draining' : circuit === 'closed' ? 'healthy' : 'failing',
        last_heartbeat: m.last_heartbeat_ms === null ? null : new Date(m.last_heartbeat_ms).toISOString(),
        circuit,
        circuit_failures: breaker.failures(m.url),
        open_requests: inFlight.get(m.url) ?? 0,
        unusable: unusable && { ...unusable, since: new Date(unusable.since).toISOString() },
      };
    }),
    refused_heartbeats: refusedHeartbeats.list().map(({ first_refused_ms, last_refused_ms, ...claim }) => ({
      ...claim,
      first_refused: new Date(first_refused_ms).toISOString(),
      last_refused: new Date(last_refused_ms).toISOString(),
    })),
  });
});
