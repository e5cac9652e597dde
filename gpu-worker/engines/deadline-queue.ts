interface Waiter<T> {
  deadline: number;
  grant: (resource: T) => void;
}

/**
 * A set of interchangeable resources (synthesis threads, turns at a model) handed out earliest
 * deadline first, equal deadlines in the order asked. No resource stays free while anyone
 * waits, so the order changes who waits, never how much gets done.
 */
export class DeadlineQueue<T> {
  private readonly free: T[];
  /** Sorted by deadline; a newcomer goes after those with the same deadline. */
  private readonly waiting: Array<Waiter<T>> = [];

  constructor(resources: T[]) {
    this.free = [...resources];
  }

  get waiters(): number {
    return this.waiting.length;
  }

  /** A free resource, if there is one: for a caller that would rather go elsewhere than wait. */
  tryAcquire(): T | undefined {
    return this.free.pop();
  }

  /**
   * A free resource at once, or the next one given back while this waiter has the earliest
   * deadline. Rejects with the signal's reason when it aborts first (the place in line is given up).
   */
  acquire(deadline: number, signal?: AbortSignal): Promise<T> {
    const free = this.free.pop();
    if (free !== undefined) return Promise.resolve(free);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(signal!.reason);
      };
      const waiter: Waiter<T> = {
        deadline,
        grant: (resource) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(resource);
        },
      };
      const after = this.waiting.findIndex((other) => other.deadline > deadline);
      this.waiting.splice(after === -1 ? this.waiting.length : after, 0, waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a resource back: to the waiter with the earliest deadline, or to the free set. */
  release(resource: T): void {
    const next = this.waiting.shift();
    if (next) next.grant(resource);
    else this.free.push(resource);
  }
}
