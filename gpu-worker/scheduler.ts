/** Raised when the worker is full: it answers 503 at once so the edge can try another worker. */
export class WorkerBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerBusyError';
  }
}

export interface SchedulerOptions {
  /** Streams served at once. */
  maxActive: number;
  /** Streams waiting for a slot; one more is refused at once. */
  maxQueued: number;
  /** How long a stream may wait for a slot before it is refused. */
  queueTimeoutMs: number;
}

/**
 * Admission control in front of the engines: bounded concurrency, a bounded queue with a
 * deadline, and fast rejection when full.
 */
export class Scheduler {
  private readonly options: SchedulerOptions;
  private active = 0;
  private readonly queue: Array<{ grant: () => void }> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(options: SchedulerOptions) {
    this.options = options;
  }

  get stats() {
    return { active: this.active, queued: this.queue.length };
  }

  /** Resolves once no stream holds or waits for a slot: what a draining worker waits for. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve(); // nothing queues while a slot is free
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits for a slot; returns the function that gives it back. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.active < this.options.maxActive) {
      this.active++;
      return this.releaser();
    }
    if (this.queue.length >= this.options.maxQueued) {
      throw new WorkerBusyError(`worker is full (${this.active} streams, ${this.queue.length} queued)`);
    }
    await new Promise<void>((resolve, reject) => {
      const entry = { grant: () => (cleanup(), resolve()) };
      const fail = (error: Error) => {
        cleanup();
        this.queue.splice(this.queue.indexOf(entry), 1);
        reject(error);
      };
      const timer = setTimeout(() => fail(new WorkerBusyError('no slot freed within the queue deadline')), this.options.queueTimeoutMs);
      const onAbort = () => fail(new Error('request cancelled while queued'));
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
    return this.releaser(); // the slot was handed over by the releasing stream
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // Hand the slot straight to the next in line, so no newcomer can slip in between.
      if (next) next.grant();
      else if (--this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
  }
}
