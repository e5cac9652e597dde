import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { WorkerLoadSchema } from '../../shared/protocol/pool.ts';
import type { AppEnv } from '../env.ts';
import { ADMIN_AUTH_ERRORS, adminAuth } from '../middleware/admin-auth.ts';
import { ADMIN_SECURITY, errorResponses, jsonResponse } from '../openapi/index.ts';
import { CIRCUIT_STATES } from '../pool/circuit-breaker.ts';
import { poolMembers } from '../pool/members.ts';
import { breaker, inFlight } from '../pool/worker-pool.ts';

/**
 * `GET /admin/pool`: every worker the edge routes to: id, URL, models, capacity and load (as of
 * its last heartbeat), draining, last heartbeat, and its circuit and open requests as this
 * isolate sees them.
 */
export const adminPoolRoute = new Hono<AppEnv>();

const PoolWorkerSchema = z
  .object({
    object: z.literal('worker'),
    id: z.string(),
    url: z.string(),
    source: z.enum(['registered', 'seed']).describe('Joined by heartbeat, or a seed of `WORKER_URLS`.'),
    version: z.string().nullable(),
    models: z.array(z.string()),
    capacity: z.number().int(),
    load: WorkerLoadSchema,
    draining: z.boolean(),
    health: z.enum(['healthy', 'draining', 'failing']).describe('Taking requests (`healthy`): its circuit is closed and it is not draining.'),
    last_heartbeat: z.string().nullable(),
    circuit: z.enum(CIRCUIT_STATES).describe('As this edge isolate sees it.'),
    open_requests: z.number().int().describe('Requests this edge isolate has open there.'),
  })
  .meta({ id: 'PoolWorker' });

const poolDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'listPoolWorkers',
  summary: 'List the worker pool',
  security: ADMIN_SECURITY,
  responses: {
    200: jsonResponse('Every worker the edge routes to.', z.object({ object: z.literal('list'), data: z.array(PoolWorkerSchema) })),
    ...errorResponses(ADMIN_AUTH_ERRORS),
  },
});

adminPoolRoute.get('/admin/pool', poolDocs, adminAuth, async (c) => {
  const members = await poolMembers(c.env);
  return c.json({
    object: 'list',
    data: members.map((m): z.infer<typeof PoolWorkerSchema> => {
      const circuit = breaker.state(m.url);
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
        // Taking requests: its circuit is closed and it is not draining.
        health: m.draining ? 'draining' : circuit === 'closed' ? 'healthy' : 'failing',
        last_heartbeat: m.last_heartbeat_ms === null ? null : new Date(m.last_heartbeat_ms).toISOString(),
        circuit,
        open_requests: inFlight.get(m.url) ?? 0,
      };
    }),
  });
});
