import { describe, expect, it } from 'vitest';
import { Scheduler, WorkerBusyError } from './scheduler.ts';

const signal = () => new AbortController().signal;

describe('Scheduler', () => {
  it('admits up to maxActive at once and queues the rest in order', async () => {
    const scheduler = new Scheduler({ maxActive: 2, maxQueued: 2, queueTimeoutMs: 5_000 });
    const a = await scheduler.acquire(signal());
    await scheduler.acquire(signal());
    const order: string[] = [];
    const c = scheduler.acquire(signal()).then((release) => (order.push('c'), release));
    const d = scheduler.acquire(signal()).then((release) => (order.push('d'), release));
    expect(scheduler.stats).toEqual({ active: 2, queued: 2 });
    a();
    (await c)();
    await d;
    expect(order).toEqual(['c', 'd']);
    expect(scheduler.stats).toEqual({ active: 2, queued: 0 });
  });

  it('refuses at once when the queue is full', async () => {
    const scheduler = new Scheduler({ maxActive: 1, maxQueued: 0, queueTimeoutMs: 5_000 });
    await scheduler.acquire(signal());
    await expect(scheduler.acquire(signal())).rejects.toBeInstanceOf(WorkerBusyError);
  });

  it('hands a freed slot to the queue, not to a newcomer', async () => {
    const scheduler = new Scheduler({ maxActive: 1, maxQueued: 1, queueTimeoutMs: 5_000 });
    const release = await scheduler.acquire(signal());
    const queued = scheduler.acquire(signal());
    release();
    let newcomerAdmitted = false;
    const newcomer = scheduler.acquire(signal()).then((r) => ((newcomerAdmitted = true), r));
    const releaseQueued = await queued;
    expect(newcomerAdmitted).toBe(false);
    expect(scheduler.stats).toEqual({ active: 1, queued: 1 });
    releaseQueued();
    (await newcomer)();
    expect(scheduler.stats).toEqual({ active: 0, queued: 0 });
  });

  it('gives up on a queued request whose deadline passes or that is cancelled', async () => {
    const scheduler = new Scheduler({ maxActive: 1, maxQueued: 2, queueTimeoutMs: 20 });
    await scheduler.acquire(signal());
    await expect(scheduler.acquire(signal())).rejects.toBeInstanceOf(WorkerBusyError);
    const abort = new AbortController();
    const cancelled = scheduler.acquire(abort.signal);
    abort.abort();
    await expect(cancelled).rejects.toThrow(/cancelled/);
    expect(scheduler.stats).toEqual({ active: 1, queued: 0 });
  });

  it('ignores a second release of the same slot', async () => {
    const scheduler = new Scheduler({ maxActive: 1, maxQueued: 0, queueTimeoutMs: 5_000 });
    const release = await scheduler.acquire(signal());
    release();
    release();
    expect(scheduler.stats.active).toBe(0);
  });

  it('is idle once every slot is given back, including those handed to the queue', async () => {
    const scheduler = new Scheduler({ maxActive: 1, maxQueued: 1, queueTimeoutMs: 5_000 });
    await scheduler.idle(); // nothing running: at once
    const first = await scheduler.acquire(signal());
    const queued = scheduler.acquire(signal());
    let idle = false;
    const waiting = scheduler.idle().then(() => (idle = true));
    first();
    const second = await queued;
    await Promise.resolve();
    expect(idle).toBe(false);
    second();
    await waiting;
    expect(scheduler.stats).toEqual({ active: 0, queued: 0 });
  });
});
