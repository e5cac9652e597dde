import { POOL_PATHS, type WorkerHeartbeat, type WorkerLoad } from '../../shared/protocol/pool.ts';
import { signRequest } from '../../shared/protocol/signing.ts';
import type { Logger } from '../log.ts';
import type { Scheduler } from '../scheduler.ts';
import type { RecentMedian } from './recent-median.ts';

/** An unreachable edge is reported at most this often, so an outage does not flood the log. */
const WARN_EVERY_MS = 30_000;
const SECRET_MISMATCH =
  'heartbeat refused: the edge and this worker have different WORKER_SECRETs (or clocks over 30 s apart); the worker is not in the pool until they match';
/** A beat unanswered this long is given up; the next tick tries again. */
const BEAT_TIMEOUT_MS = 5_000;
/**
 * How long a worker that has not joined yet waits, quietly, for an edge that is not listening: a
 * worker often starts first (`npm start`, a rollout). An edge that answers with an error is
 * reported at once.
 */
export const DEFAULT_JOIN_GRACE_MS = 30_000;

export interface HeartbeatOptions {
  /** The edge's origin. */
  edgeUrl: string;
  secret: string;
  intervalMs: number;
  log: Logger;
  /** What stays the same while the worker runs. */
  member: Pick<WorkerHeartbeat, 'worker_id' | 'url' | 'version' | 'models' | 'capacity'>;
  /** Read at each beat. */
  load(): WorkerLoad;
  draining(): boolean;
  /** DEFAULT_JOIN_GRACE_MS unless set. */
  joinGraceMs?: number;
}

/** The load a heartbeat reports: slots held and waited for, free ones by priority, and recent time to first audio. */
export function workerLoad(scheduler: Scheduler, firstAudio: RecentMedian): WorkerLoad {
  return { ...scheduler.stats, free: scheduler.free, ttfa_ms: firstAudio.median() };
}

/**
 * Keeps the worker in the edge's pool: a signed heartbeat at once, then one every interval,
 * saying what it serves and how loaded it is. A failed beat is logged (sparingly) and the next
 * tick tries again; the worker serves on either way.
 */
export class Heartbeats {
  private readonly options: HeartbeatOptions;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private joined = false;
  private failures = 0;
  private lastWarning = -Infinity;
  private startedAt = 0;
  private waitingSaid = false;

  constructor(options: HeartbeatOptions) {
    this.options = options;
  }

  start(): void {
    this.startedAt = performance.now();
    void this.beat();
    this.timer = setInterval(() => {
      // A tick while a beat is still out would only pile requests on a slow edge.
      if (this.inFlight.size === 0) void this.beat();
    }, this.options.intervalMs).unref();
  }

  /** One beat now, beside the regular ones: to tell the edge at once that the worker drains. */
  beat(leaving = false): Promise<void> {
    const sent: Promise<void> = this.send(leaving).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
    return sent;
  }

  /** The last beat: no more ticks, and the edge drops the worker at once instead of after missed beats. */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    // A beat still out could land after this one and bring the worker back into the pool.
    await Promise.all(this.inFlight);
    await this.beat(true);
  }

  private async send(leaving: boolean): Promise<void> {
    const { edgeUrl, secret, intervalMs, member } = this.options;
    const heartbeat: WorkerHeartbeat = {
      ...member,
      load: this.options.load(),
      draining: this.options.draining(),
      leaving,
      interval_ms: intervalMs,
    };
    const body = new TextEncoder().encode(JSON.stringify(heartbeat));
    try {
      const signature = await signRequest(secret, { method: 'POST', path: POOL_PATHS.heartbeat, body });
      const response = await fetch(`${edgeUrl}${POOL_PATHS.heartbeat}`, {
        method: 'POST',
        headers: { ...signature, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(BEAT_TIMEOUT_MS),
      });
      const answer = await response.text();
      if (!response.ok) return this.failed(`the edge answered ${response.status}: ${answer.slice(0, 200)}`, response.status === 401);
      this.succeeded();
    } catch (error) {
      if (this.stillWaitingForEdge()) return;
      this.failed(describe(error));
    }
  }

  private succeeded(): void {
    if (!this.joined) this.options.log('info', 'joined the pool', { edge: this.options.edgeUrl, url: this.options.member.url });
    else if (this.failures > 0) this.options.log('info', 'heartbeats restored', { edge: this.options.edgeUrl, failures: this.failures });
    this.joined = true;
    this.failures = 0;
    this.lastWarning = -Infinity;
  }

  /** True (and says so once) while a worker that never joined gives a silent edge its grace. */
  private stillWaitingForEdge(): boolean {
    const graceMs = this.options.joinGraceMs ?? DEFAULT_JOIN_GRACE_MS;
    if (this.joined || performance.now() - this.startedAt >= graceMs) return false;
    if (!this.waitingSaid) this.options.log('info', 'waiting for the edge', { edge: this.options.edgeUrl, grace_ms: graceMs });
    this.waitingSaid = true;
    return true;
  }

  /** `refused`: the edge refused the signature, an operator's mistake that no retry mends: said as an error. */
  private failed(reason: string, refused = false): void {
    this.failures++;
    const now = performance.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    if (refused) this.options.log('error', SECRET_MISMATCH, { edge: this.options.edgeUrl, reason, failures: this.failures });
    else this.options.log('warn', 'heartbeat failed', { edge: this.options.edgeUrl, reason, failures: this.failures });
  }
}

/** fetch hides why it failed (refused, reset, DNS) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
