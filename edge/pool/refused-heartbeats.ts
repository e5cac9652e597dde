import { WorkerHeartbeatSchema } from '../../shared/protocol/pool.ts';

/**
 * Heartbeats the edge refused (their signature did not verify), by the URL they claim, so that
 * GET /admin/pool can say why a worker is not in the pool. Unverified: anyone can send one, so a
 * claim never affects routing, the list is bounded (the oldest claim goes) and a claim expires a
 * minute after its last refusal. Per isolate, like the circuit breaker: an unsigned request must
 * not cost the pool's Durable Object anything.
 */
export interface RefusedHeartbeat {
  /** What the heartbeat claims, unverified. */
  url: string;
  worker_id: string;
  /** Why the signature was refused (`signature does not match`: the secrets differ). */
  reason: string;
  first_refused_ms: number;
  last_refused_ms: number;
  refusals: number;
}

const MAX_CLAIMS = 16;
const KEEP_MS = 60_000;
/** A claim refused again is logged again after this long, so a worker left misconfigured stays visible in the log. */
const LOG_EVERY_MS = 60_000;

class RefusedHeartbeats {
  // In order of last refusal, oldest first; with when each was last logged.
  private readonly claims = new Map<string, RefusedHeartbeat & { logged_ms: number }>();

  /** Records the refusal of `body` when it is a heartbeat, and logs it (at most once a minute per claimed URL). */
  refused(body: Uint8Array, reason: string, now = Date.now()): void {
    const claim = parseHeartbeat(body);
    if (!claim) return;
    this.expire(now);
    const known = this.claims.get(claim.url);
    const log = !known || now - known.logged_ms >= LOG_EVERY_MS;
    this.claims.delete(claim.url);
    this.claims.set(claim.url, {
      url: claim.url,
      worker_id: claim.worker_id,
      reason,
      first_refused_ms: known?.first_refused_ms ?? now,
      last_refused_ms: now,
      refusals: (known?.refusals ?? 0) + 1,
      logged_ms: log ? now : known!.logged_ms,
    });
    if (this.claims.size > MAX_CLAIMS) this.claims.delete(this.claims.keys().next().value!);
    if (log) {
      const message = 'worker heartbeat refused: the worker is not in the pool; WORKER_SECRET differs between the edge and the worker (or their clocks are over 30 s apart)';
      console.error(JSON.stringify({ level: 'error', message, claimed_url: claim.url, claimed_worker_id: claim.worker_id, reason }));
    }
  }

  /** A heartbeat from `url` verified: whatever was refused there has the secret now. */
  accepted(url: string): void {
    this.claims.delete(url);
  }

  list(now = Date.now()): RefusedHeartbeat[] {
    this.expire(now);
    return [...this.claims.values()].map(({ logged_ms: _logged, ...claim }) => claim);
  }

  private expire(now: number): void {
    for (const [url, claim] of this.claims) {
      if (now - claim.last_refused_ms < KEEP_MS) break;
      this.claims.delete(url);
    }
  }
}

function parseHeartbeat(body: Uint8Array): { url: string; worker_id: string } | null {
  try {
    const parsed = WorkerHeartbeatSchema.safeParse(JSON.parse(new TextDecoder().decode(body)));
    return parsed.success ? { url: parsed.data.url, worker_id: parsed.data.worker_id } : null;
  } catch {
    return null;
  }
}

export const refusedHeartbeats = new RefusedHeartbeats();
