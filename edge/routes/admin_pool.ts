import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { poolMembers } from '../pool/members.ts';
import { breaker, inFlight } from '../pool/worker-pool.ts';

/**
 * `GET /admin/pool`: every worker the edge routes to: id, URL, models, capacity and load (as of
 * its last heartbeat), draining, last heartbeat, and its circuit and open requests as this
 * isolate sees them.
 */
export const adminPoolRoute = new Hono<AppEnv>();

adminPoolRoute.get('/admin/pool', adminAuth, async (c) => {
  const members = await poolMembers(c.env);
  return c.json({
    object: 'list',
    data: members.map((m) => {
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
