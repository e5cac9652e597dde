import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from './deadline-queue.ts';

describe('DeadlineQueue', () => {
  it('hands a given-back resource to the earliest deadline, equal deadlines in the order asked', async () => {
    const queue = new DeadlineQueue(['thread']);
    const held = await queue.acquire(0);
    const order: string[] = [];
    const asked = [
      ['late', 30],
      ['early', 10],
      ['early too', 10],
      ['middle', 20],
    ] as const;
    // Each waiter, once served, gives the resource straight back for the next.
    const served = asked.map(([name, deadline]) => queue.acquire(deadline).then((resource) => (order.push(name), queue.release(resource))));
    queue.release(held);
    await Promise.all(served);
    expect(order).toEqual(['early', 'early too', 'middle', 'late']);
  });

  it('never leaves a resource free while someone waits', async () => {
    const queue = new DeadlineQueue([1, 2]);
    expect(await Promise.all([queue.acquire(5), queue.acquire(5)])).toEqual(expect.arrayContaining([1, 2]));
    const third = queue.acquire(1);
    expect(queue.waiters).toBe(1);
    queue.release(2);
    expect(await third).toBe(2);
    expect(queue.waiters).toBe(0);
  });

  it('drops a waiter whose signal aborts, rejecting with its reason', async () => {
    const queue = new DeadlineQueue(['only']);
    await queue.acquire(0);
    const abort = new AbortController();
    const gone = queue.acquire(1, abort.signal);
    const next = queue.acquire(2);
    abort.abort(new Error('client went away'));
    await expect(gone).rejects.toThrow('client went away');
    queue.release('only');
    expect(await next).toBe('only');
  });
});
