import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlaybackClock } from '../playback-clock.ts';
import type { SynthesisRequest } from '../types.ts';
import { EspeakEngine } from './engine.ts';

// One thread: streams queue for it, and the order in which they get it shows in their first audio.
let engine: EspeakEngine;
beforeAll(async () => {
  engine = await EspeakEngine.load({ threads: 1 });
});
afterAll(() => engine?.close());

const request = (text: string, playback?: PlaybackClock): SynthesisRequest => ({
  requestId: 'order',
  text,
  voice: { kind: 'preset', id: 'en-female' },
  language: 'en',
  speed: 1,
  ...(playback ? { playback } : {}),
});

/**
 * Occupies the thread, then starts one stream per clock in the order given (each queues its first
 * sentence for the thread at once); returns the names in the order their first audio came.
 */
async function servedOrder(streams: Array<[string, PlaybackClock]>): Promise<string[]> {
  const signal = new AbortController().signal;
  const busy = engine.synthesize(request('The only thread is busy with this sentence while the others wait in line.'), signal)[Symbol.asyncIterator]();
  const busyFirst = busy.next(); // takes the free thread at once
  const order: string[] = [];
  const started = streams.map(([name, clock]) => {
    const stream = engine.synthesize(request(`This is stream ${name}.`, clock), signal)[Symbol.asyncIterator]();
    return stream.next().then(() => (order.push(name), stream));
  });
  await busyFirst;
  await busy.return?.(undefined);
  for (const stream of await Promise.all(started)) await stream.return?.(undefined);
  return order;
}

const withAudioInHand = (seconds: number) => {
  const clock = new PlaybackClock();
  clock.advance(seconds);
  return clock;
};

describe('espeak threads: who goes first when every thread is busy', () => {
  it("a new stream's first sentence before the next sentences of streams already playing, the least audio in hand first", async () => {
    const order = await servedOrder([
      ['playing, 1.5 s in hand', withAudioInHand(1.5)],
      ['playing, 0.3 s in hand', withAudioInHand(0.3)],
      ['new', new PlaybackClock()],
    ]);
    // In arrival order the newcomer would wait behind both.
    expect(order).toEqual(['new', 'playing, 0.3 s in hand', 'playing, 1.5 s in hand']);
  });

  it('nobody starves: a stream far ahead of real time waits behind newcomers for at most MAX_LEAD_MS', async () => {
    // A stream ten minutes ahead asks for the thread at t; a new stream arrives at t + MAX_LEAD_MS
    // + 0.5 s while it still waits. Its lead counts as MAX_LEAD_MS, so it goes first: uncapped, it
    // would wait behind every newcomer for ten minutes (and in arrival order, behind this one too,
    // which asked first here).
    const t = performance.now();
    const tenMinutesAhead = new PlaybackClock({ startedAt: t - 1_000, now: () => t });
    tenMinutesAhead.advance(600);
    const later = t + PlaybackClock.MAX_LEAD_MS + 500;
    const order = await servedOrder([
      ['arrives later', new PlaybackClock({ startedAt: later, now: () => later })],
      ['ten minutes ahead', tenMinutesAhead],
    ]);
    expect(order).toEqual(['ten minutes ahead', 'arrives later']);
  });

  it('without a clock, streams are served in arrival order', async () => {
    const signal = new AbortController().signal;
    const busy = engine.synthesize(request('The only thread is busy with this sentence.'), signal)[Symbol.asyncIterator]();
    const busyFirst = busy.next();
    const order: string[] = [];
    const started = ['first', 'second', 'third'].map((name) => {
      const stream = engine.synthesize(request(`This is the ${name} stream.`), signal)[Symbol.asyncIterator]();
      return stream.next().then(() => (order.push(name), stream));
    });
    await busyFirst;
    await busy.return?.(undefined);
    for (const stream of await Promise.all(started)) await stream.return?.(undefined);
    expect(order).toEqual(['first', 'second', 'third']);
  });

  it('a stream cancelled while it waits gives up its place and the thread goes on to the next', async () => {
    const busy = engine.synthesize(request('The only thread is busy with this sentence.'), new AbortController().signal)[Symbol.asyncIterator]();
    const busyFirst = busy.next();
    const cancelled = new AbortController();
    const gone = engine.synthesize(request('Never spoken.'), cancelled.signal)[Symbol.asyncIterator]();
    const goneFirst = gone.next();
    const next = engine.synthesize(request('Spoken next.'), new AbortController().signal)[Symbol.asyncIterator]();
    const nextFirst = next.next();
    cancelled.abort();
    expect((await goneFirst).done).toBe(true);
    await busyFirst;
    await busy.return?.(undefined);
    expect((await nextFirst).done).toBe(false);
    await next.return?.(undefined);
  });
});

describe('espeak threads: the urgent thread and priorities', () => {
  // One thread synthesizing ahead of playback, and the urgent one.
  let withUrgent: EspeakEngine;
  beforeAll(async () => {
    withUrgent = await EspeakEngine.load({ threads: 1, urgentThread: true });
  });
  afterAll(() => withUrgent?.close());

  const LONG = 'This sentence is long on purpose so that the one thread that synthesizes ahead of playback stays busy with it for a good while and every word of it takes its time to speak and then some more words follow it';

  /**
   * Starts running `stream` to its end, noting when its first audio came and when it ended;
   * resolves once it has its first audio (its sentence has a thread), with the run to its end.
   */
  async function timeline(stream: AsyncIterable<unknown>, marks: string[], name: string): Promise<{ ended: Promise<void> }> {
    let hasAudio!: () => void;
    const firstAudio = new Promise<void>((resolve) => (hasAudio = resolve));
    const ended = (async () => {
      let first = true;
      for await (const _ of stream) {
        if (first) {
          marks.push(`${name} first audio`);
          hasAudio();
        }
        first = false;
      }
      marks.push(`${name} done`);
    })();
    await Promise.race([firstAudio, ended]);
    return { ended };
  }

  it('a stream with no audio in hand starts on the urgent thread while the other is busy', async () => {
    const signal = new AbortController().signal;
    const marks: string[] = [];
    // The next stream starts once the long sentence has the thread (its first audio is out), not after a guessed delay.
    const ahead = await timeline(withUrgent.synthesize(request(LONG, withAudioInHand(5)), signal), marks, 'ahead');
    const fresh = await timeline(withUrgent.synthesize(request('New.', new PlaybackClock()), signal), marks, 'new');
    await Promise.all([ahead.ended, fresh.ended]);
    expect(marks.indexOf('new first audio')).toBeLessThan(marks.indexOf('ahead done'));
  });

  it('a stream with audio in hand waits for the thread that works ahead, even while the urgent one is free', async () => {
    const signal = new AbortController().signal;
    const marks: string[] = [];
    const first = await timeline(withUrgent.synthesize(request(LONG, withAudioInHand(5)), signal), marks, 'first');
    const second = timeline(withUrgent.synthesize(request('Also ahead.', withAudioInHand(5)), signal), marks, 'second');
    await Promise.all([first.ended, second.then(({ ended }) => ended)]);
    expect(marks).toEqual(['first first audio', 'first done', 'second first audio', 'second done']);
  });

  it('the threads working ahead run at a lower priority (niceness 10); the urgent one and libuv\'s pool at the normal 0', async () => {
    // Linux keeps a niceness per thread: field 19 of /proc/<pid>/task/<tid>/stat, after "(name) ".
    const threads = readdirSync(`/proc/${process.pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), niceness: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
    });
    // This file's engines have one thread each working ahead (the first describe's and this one's).
    expect(threads.filter((t) => t.niceness === 10)).toHaveLength(2);
    expect(threads.filter((t) => t.niceness !== 10).every((t) => t.niceness === 0)).toBe(true);
    expect(threads.filter((t) => t.name === 'libuv-worker').every((t) => t.niceness === 0)).toBe(true);
  });
});
