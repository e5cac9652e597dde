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

describe('Scheduler: live requests before background ones', () => {
  const limits = { maxActive: 2, maxQueued: 2, queueTimeoutMs: 5_000 };
  const background = (overrides: Partial<{ reservedForLive: number; maxQueued: number; queueTimeoutMs: number }> = {}) =>
    new Scheduler({ ...limits, background: { reservedForLive: 1, maxQueued: 2, queueTimeoutMs: 5_000, ...overrides } });

  it('keeps a slot for live requests: a live request starts at once while background streams hold all they may', async () => {
    const scheduler = background();
    await scheduler.acquire(signal(), 'background');
    expect(scheduler.free).toEqual({ live: 1, background: 0 });
    let queuedStarted = false;
    const queued = scheduler.acquire(signal(), 'background').then((release) => ((queuedStarted = true), release));
    await scheduler.acquire(signal(), 'live'); // resolves at once; a wait would hang here past the test's timeout
    expect(scheduler.byPriority).toEqual({ live: { active: 1, queued: 0 }, background: { active: 1, queued: 1 } });
    await Promise.resolve();
    expect(queuedStarted).toBe(false);
    queued.catch(() => {});
  });

  it('by default keeps one slot for live when there are two or more, none when there is one', async () => {
    expect(new Scheduler(limits).free).toEqual({ live: 2, background: 1 });
    expect(new Scheduler({ ...limits, maxActive: 1 }).free).toEqual({ live: 1, background: 1 });
    expect(() => new Scheduler({ ...limits, background: { reservedForLive: 2, maxQueued: 0, queueTimeoutMs: 1 } })).toThrow(/reservedForLive/);
  });

  it('hands a freed slot to a waiting live request before any background one, whichever came first', async () => {
    const scheduler = background({ reservedForLive: 0 });
    const first = await scheduler.acquire(signal(), 'background');
    const second = await scheduler.acquire(signal(), 'background');
    const order: string[] = [];
    const chunk = scheduler.acquire(signal(), 'background').then((release) => (order.push('background'), release));
    const live = scheduler.acquire(signal(), 'live').then((release) => (order.push('live'), release));
    expect(scheduler.byPriority).toEqual({ live: { active: 0, queued: 1 }, background: { active: 2, queued: 1 } });
    first();
    await live;
    expect(order).toEqual(['live']);
    second();
    await chunk;
    expect(order).toEqual(['live', 'background']);
  });

  it('lets a waiting background request proceed once a background slot frees, not into the slot kept for live', async () => {
    const scheduler = background();
    const releaseLive = await scheduler.acquire(signal(), 'live');
    const releaseBackground = await scheduler.acquire(signal(), 'background');
    let started = false;
    const queued = scheduler.acquire(signal(), 'background').then((release) => ((started = true), release));
    releaseLive(); // the kept slot frees: the chunk still waits
    await Promise.resolve();
    expect(started).toBe(false);
    expect(scheduler.free).toEqual({ live: 1, background: 0 });
    releaseBackground();
    (await queued)();
    expect(scheduler.stats).toEqual({ active: 0, queued: 0 });
  });

  it('queues background requests up to their own bound, then refuses at once so the edge tries another worker', async () => {
    const scheduler = background({ maxQueued: 1 });
    await scheduler.acquire(signal(), 'background');
    const waiting = scheduler.acquire(signal(), 'background');
    await expect(scheduler.acquire(signal(), 'background')).rejects.toBeInstanceOf(WorkerBusyError);
    // The live queue's places are not the background queue's.
    await scheduler.acquire(signal(), 'live');
    const liveWaiting = scheduler.acquire(signal(), 'live');
    expect(scheduler.byPriority).toEqual({ live: { active: 1, queued: 1 }, background: { active: 1, queued: 1 } });
    waiting.catch(() => {});
    liveWaiting.catch(() => {});
  });

  it('gives a background request its own queue deadline', async () => {
    const scheduler = new Scheduler({ ...limits, maxActive: 1, queueTimeoutMs: 5_000, background: { reservedForLive: 0, maxQueued: 1, queueTimeoutMs: 30 } });
    await scheduler.acquire(signal(), 'background');
    const started = performance.now();
    await expect(scheduler.acquire(signal(), 'background')).rejects.toThrow(/queue deadline/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(scheduler.byPriority.background).toEqual({ active: 1, queued: 0 });
  });

  it('is idle only once background streams and their queue are done too', async () => {
    const scheduler = background();
    const chunk = await scheduler.acquire(signal(), 'background');
    const queued = scheduler.acquire(signal(), 'background');
    let idle = false;
    const waiting = scheduler.idle().then(() => (idle = true));
    chunk();
    const next = await queued;
    await Promise.resolve();
    expect(idle).toBe(false);
    next();
    await waiting;
  });
});
