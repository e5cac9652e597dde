import type { WorkerPriority } from '../shared/protocol/worker-api.ts';

/** Raised when the worker is full: it answers 503 at once so the edge can try another worker. */
export class WorkerBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerBusyError';
  }
}

/** How many requests of one priority may wait for a slot, and for how long. */
export interface QueueLimits {
  /** Streams waiting for a slot; one more is refused at once. */
  maxQueued: number;
  /** How long a stream may wait for a slot before it is refused. */
  queueTimeoutMs: number;
}

export interface BackgroundOptions extends QueueLimits {
  /** Slots background streams never take, so a live request arriving while they run starts at once. */
  reservedForLive: number;
}

export interface SchedulerOptions extends QueueLimits {
  /** Streams served at once, live and background together. */
  maxActive: number;
  /** Absent: one slot kept for live requests (none when maxActive is 1), and the live queue's limits. */
  background?: BackgroundOptions;
}

/** Slots held and requests waiting, of one priority or all (a type, so that it spreads into log fields). */
export type SlotCounts = {
  active: number;
  queued: number;
};

interface Lane {
  active: number;
  readonly queue: Array<{ grant: () => void }>;
  readonly limits: QueueLimits;
}

/** A background stream's own slot limit when nothing else says: all but one slot. */
export const defaultReservedForLive = (maxActive: number) => Math.min(1, maxActive - 1);

/**
 * Admission control in front of the engines: bounded concurrency, a bounded queue with a
 * deadline, and fast rejection when full. Live requests (someone listening) come before
 * background ones (a job's chunks): a waiting live request is granted before any waiting
 * background one, and background streams hold at most `maxActive - reservedForLive` slots, so a
 * live request finds a slot free even while a job fills the worker. Each priority waits in its
 * own queue with its own limits: a chunk can wait longer than a listener.
 */
export class Scheduler {
  private readonly maxActive: number;
  private readonly backgroundSlots: number;
  private readonly lanes: Record<WorkerPriority, Lane>;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(options: SchedulerOptions) {
    const background = options.background ?? { ...options, reservedForLive: defaultReservedForLive(options.maxActive) };
    if (background.reservedForLive >= options.maxActive) {
      throw new RangeError(`reservedForLive (${background.reservedForLive}) must be below maxActive (${options.maxActive})`);
    }
    this.maxActive = options.maxActive;
    this.backgroundSlots = options.maxActive - background.reservedForLive;
    const lane = (limits: QueueLimits): Lane => ({ active: 0, queue: [], limits: { maxQueued: limits.maxQueued, queueTimeoutMs: limits.queueTimeoutMs } });
    this.lanes = { live: lane(options), background: lane(background) };
  }

  /** Both priorities together. */
  get stats(): SlotCounts {
    const { live, background } = this.byPriority;
    return { active: live.active + background.active, queued: live.queued + background.queued };
  }

  get byPriority(): Record<WorkerPriority, SlotCounts> {
    const counts = (lane: Lane) => ({ active: lane.active, queued: lane.queue.length });
    return { live: counts(this.lanes.live), background: counts(this.lanes.background) };
  }

  /** Slots a request of each priority would get at once. */
  get free(): Record<WorkerPriority, number> {
    const free = this.maxActive - this.stats.active;
    return { live: free, background: Math.max(0, Math.min(free, this.backgroundSlots - this.lanes.background.active)) };
  }

  /** Resolves once no stream holds or waits for a slot: what a draining worker waits for. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits for a slot; returns the function that gives it back. */
  async acquire(signal: AbortSignal, priority: WorkerPriority = 'live'): Promise<() => void> {
    const lane = this.lanes[priority];
    // Behind others of its priority it waits its turn, even if a slot is free this instant.
    if (lane.queue.length === 0 && this.canStart(priority)) {
      lane.active++;
      return this.releaser(lane);
    }
    if (lane.queue.length >= lane.limits.maxQueued) {
      const { active, queued } = this.stats;
      throw new WorkerBusyError(`worker is full for ${priority} requests (${active} streams, ${queued} queued)`);
    }
    await new Promise<void>((resolve, reject) => {
      const entry = { grant: () => (cleanup(), resolve()) };
      const fail = (error: Error) => {
        cleanup();
        lane.queue.splice(lane.queue.indexOf(entry), 1);
        reject(error);
      };
      const timer = setTimeout(() => fail(new WorkerBusyError('no slot freed within the queue deadline')), lane.limits.queueTimeoutMs);
      const onAbort = () => fail(new Error('request cancelled while queued'));
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      lane.queue.push(entry);
    });
    return this.releaser(lane); // the slot was counted for it when it was granted
  }

  private canStart(priority: WorkerPriority): boolean {
    if (this.stats.active >= this.maxActive) return false;
    if (priority === 'live') return true;
    return this.lanes.live.queue.length === 0 && this.lanes.background.active < this.backgroundSlots;
  }

  private isIdle(): boolean {
    const { active, queued } = this.stats;
    return active === 0 && queued === 0;
  }

  private releaser(lane: Lane): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.active--;
      this.grantWaiting();
      if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
  }

  /**
   * Hands freed slots straight to those waiting, live first, counting them at once, so no
   * newcomer can slip in between.
   */
  private grantWaiting(): void {
    for (const priority of ['live', 'background'] as const) {
      const lane = this.lanes[priority];
      while (lane.queue.length > 0 && this.canStart(priority)) {
        lane.active++;
        lane.queue.shift()!.grant();
      }
    }
  }
}
