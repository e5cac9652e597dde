import { DurableObject } from 'cloudflare:workers';
import { MISSED_HEARTBEATS, type WorkerHeartbeat } from '../../shared/protocol/pool.ts';
import type { Env } from '../env.ts';

/** A registered worker as the pool knows it: its last heartbeat, and when that arrived. */
export type RegisteredWorker = WorkerHeartbeat & { last_heartbeat_ms: number };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS members (
  worker_id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  heartbeat TEXT NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
`;

/**
 * The pool's membership (one object for the deployment): every worker that sent a signed
 * heartbeat lately. A member that misses MISSED_HEARTBEATS intervals is gone; a worker that says
 * it is leaving goes at once; a worker restarted at the same URL replaces its old self. Edge
 * isolates read a copy at most once a second (see members.ts), not on every request.
 */
export class PoolDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  heartbeat(heartbeat: WorkerHeartbeat): void {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM members WHERE url = ? AND worker_id != ?', heartbeat.url, heartbeat.worker_id);
      if (heartbeat.leaving) return void this.sql.exec('DELETE FROM members WHERE worker_id = ?', heartbeat.worker_id);
      this.sql.exec(
        'INSERT OR REPLACE INTO members (worker_id, url, heartbeat, last_seen_ms, expires_ms) VALUES (?, ?, ?, ?, ?)',
        heartbeat.worker_id,
        heartbeat.url,
        JSON.stringify(heartbeat),
        now,
        now + heartbeat.interval_ms * MISSED_HEARTBEATS,
      );
    });
  }

  members(): RegisteredWorker[] {
    const now = Date.now();
    this.sql.exec('DELETE FROM members WHERE expires_ms <= ?', now);
    return this.sql
      .exec<{ heartbeat: string; last_seen_ms: number }>('SELECT heartbeat, last_seen_ms FROM members ORDER BY url')
      .toArray()
      .map((row) => ({ ...(JSON.parse(row.heartbeat) as WorkerHeartbeat), last_heartbeat_ms: row.last_seen_ms }));
  }
}
