import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MainThreadTurns } from './turns.ts';

describe('MainThreadTurns', () => {
  it('gives the turns earliest deadline first, equal deadlines in the order asked', async () => {
    const turns = new MainThreadTurns();
    await turns.take(0); // held: the others queue
    const order: string[] = [];
    const asked = [
      ['playing, 2 s in hand', 2_000],
      ['new', 10],
      ['playing, 0.3 s in hand', 300],
      ['new too', 10],
    ] as const;
    await Promise.all(asked.map(([name, deadline]) => turns.take(deadline).then(() => order.push(name))));
    expect(order).toEqual(['new', 'new too', 'playing, 0.3 s in hand', 'playing, 2 s in hand']);
  });

  it('one turn per pass of the event loop: what arrives meanwhile is heard before the next turn', async () => {
    const turns = new MainThreadTurns();
    const log: string[] = [];
    // Two streams that want turn after turn, as a handler with a sentence of chunks in hand does.
    const stream = async (name: string, deadline: number) => {
      for (let chunk = 0; chunk < 3; chunk++) {
        await turns.take(deadline);
        log.push(`${name}${chunk}`);
      }
    };
    const both = Promise.all([stream('a', 100), stream('b', 200)]);
    // A newcomer arrives on the next pass (as an HTTP request or a thread's message would), due earlier.
    await nextLoopTurn();
    log.push('arrived');
    const newcomer = turns.take(0).then(() => log.push('new'));
    await Promise.all([both, newcomer]);
    const arrived = log.indexOf('arrived');
    expect(arrived).toBeLessThan(4); // the held-back chunks did not all run in one go before it
    expect(log[arrived + 1]).toBe('new'); // and it had the very next turn
    expect(log.filter((entry) => /^a\d$/.test(entry))).toEqual(['a0', 'a1', 'a2']);
  });

  it('a stream cancelled while it waits gives up its place', async () => {
    const turns = new MainThreadTurns();
    await turns.take(0);
    const cancelled = new AbortController();
    const gone = turns.take(1, cancelled.signal);
    const next = turns.take(2);
    cancelled.abort(new Error('client went away'));
    await expect(gone).rejects.toThrow('client went away');
    await next;
    expect(turns.waiting).toBe(0);
  });
});
