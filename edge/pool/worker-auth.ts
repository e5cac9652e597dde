import { ApiError } from '../../shared/errors.ts';

/**
 * Workers that refused the edge's signature (401/403): the edge and the worker hold different
 * WORKER_SECRETs, or their clocks are over the replay window apart. That is the operator's
 * fault, not the client's, so the worker's 401 never reaches the client: the request goes to
 * another worker, or fails with 502 `worker_auth_failed`. Such a worker is not routed to until
 * it proves it has the secret again: a seed's catalog answers (asked again every few seconds),
 * or a registered worker sends a heartbeat that verifies after the refusal. Per isolate, like
 * the circuit breaker.
 */
export interface Unusable {
  reason: 'worker_auth_failed';
  /** When this isolate first saw the refusal, ms since the epoch. */
  since: number;
  message: string;
}

/** The 502 when no worker that accepts the edge's signature could take a request (in POOL_ERRORS). */
export const workerAuthFailed = () =>
  new ApiError(
    502,
    'internal_error',
    'worker_auth_failed',
    'The server is misconfigured: its speech workers refuse its signed requests (the edge and the workers hold different shared secrets). This is not a fault of your request or API key, and retrying will not help until the operator fixes it.',
  );

/** Whether a worker's answer to a signed request says the signature was refused. */
export const refusedSignature = (status: number) => status === 401 || status === 403;

class WorkerAuthRefusals {
  private readonly refusals = new Map<string, Unusable>();

  /** The worker at `url` refused a signed request; logged loudly when it was usable until now. */
  refused(url: string, status: number, path: string, now = Date.now()): void {
    if (this.refusals.has(url)) return;
    const message = `The worker answered ${status} to the edge's signed ${path}: WORKER_SECRET differs between the edge and this worker (or their clocks are over 30 s apart).`;
    this.refusals.set(url, { reason: 'worker_auth_failed', since: now, message });
    console.error(JSON.stringify({ level: 'error', message: 'worker refused the edge signature: it is not routed to', worker: url, status, path, detail: message }));
  }

  /** The worker proved it has the secret (a catalog answered, a heartbeat verified since `since`). */
  cleared(url: string): void {
    if (!this.refusals.delete(url)) return;
    console.log(JSON.stringify({ level: 'info', message: 'worker accepts the edge signature again', worker: url }));
  }

  /** Why the worker is not routed to, or null when it is usable. A registered worker's heartbeat since the refusal clears it. */
  unusable(member: { url: string; last_heartbeat_ms: number | null }): Unusable | null {
    const refusal = this.refusals.get(member.url);
    if (!refusal) return null;
    if (member.last_heartbeat_ms !== null && member.last_heartbeat_ms > refusal.since) {
      this.cleared(member.url);
      return null;
    }
    return refusal;
  }
}

export const workerAuth = new WorkerAuthRefusals();
