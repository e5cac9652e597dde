/**
 * Requests that passed load shedding and are on their way to the worker it chose for them
 * (admission and voice resolution come first, tens of milliseconds, more under load). Counted as
 * open on that worker from the moment shedding let them through: without that, a burst of
 * requests judged together all saw the same room, and all were admitted into one queue. Dispatch
 * takes the reservation and sends to its worker; a request that ends without sending (refused by
 * admission, its client gone) drops it; one left behind anyway lapses after `ttlMs`.
 */
export class Reservations {
  private readonly held = new Map<string, { url: string; until: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs: number, now: () => number = () => Date.now()) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  hold(requestId: string, url: string): void {
    this.held.set(requestId, { url, until: this.now() + this.ttlMs });
  }

  /** The worker reserved for the request, if any still is; the reservation ends. */
  take(requestId: string): string | undefined {
    const reserved = this.held.get(requestId);
    this.held.delete(requestId);
    return reserved && reserved.until > this.now() ? reserved.url : undefined;
  }

  drop(requestId: string): void {
    this.held.delete(requestId);
  }

  /** Reservations held on the worker now. */
  on(url: string): number {
    const now = this.now();
    let count = 0;
    for (const [id, reserved] of this.held) {
      if (reserved.until <= now) this.held.delete(id);
      else if (reserved.url === url) count++;
    }
    return count;
  }
}
