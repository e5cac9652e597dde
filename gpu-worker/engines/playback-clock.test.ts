import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from './deadline-queue.ts';
import { PlaybackClock } from './playback-clock.ts';

describe('PlaybackClock', () => {
  it('a new stream is due at its arrival; each second of audio handed out moves it a second later', () => {
    let now = 1_000;
    const clock = new PlaybackClock({ startedAt: 900, now: () => now });
    expect(clock.deadline()).toBe(900); // time queued before the engine started counts against it
    clock.advance(0.25);
    clock.advance(0.5);
    expect(clock.deadline()).toBe(1_650);
    now = 1_200;
    expect(clock.deadline()).toBe(1_650); // the deadline is fixed by audio, not by the passing of time
  });

  it('a lead over MAX_LEAD_MS counts as MAX_LEAD_MS, so a fast reader is not put off forever', () => {
    let now = 0;
    const clock = new PlaybackClock({ startedAt: 0, now: () => now });
    clock.advance(600); // ten minutes of audio made at once
    expect(clock.deadline()).toBe(PlaybackClock.MAX_LEAD_MS);
    now = 5_000;
    // A stream that arrives now (deadline 5,000) goes before one asking now with ten minutes in hand
    // only until 5,000 + MAX_LEAD_MS.
    expect(clock.deadline()).toBe(5_000 + PlaybackClock.MAX_LEAD_MS);
  });

  it('a background stream (no listener) is due after any live stream, even one with all the lead it counts', async () => {
    let now = 10_000;
    const time = () => now;
    const chunk = new PlaybackClock({ startedAt: now, now: time, background: true });
    const playing = new PlaybackClock({ startedAt: 0, now: time });
    playing.advance(600);
    const arriving = new PlaybackClock({ startedAt: now, now: time });
    expect(chunk.deadline()).toBe(now + PlaybackClock.BACKGROUND_LEAD_MS); // no audio made yet, and still not due
    chunk.advance(600);
    expect(chunk.deadline()).toBe(now + PlaybackClock.BACKGROUND_LEAD_MS);

    // An engine thread busy, the chunk waiting first: both live streams' work goes before it.
    const threads = new DeadlineQueue(['thread']);
    const thread = await threads.acquire(0);
    const order: string[] = [];
    const waitFor = (name: string, clock: PlaybackClock) => threads.acquire(clock.deadline()).then((held) => (order.push(name), threads.release(held)));
    const waits = [waitFor('chunk', chunk), waitFor('playing', playing), waitFor('arriving', arriving)];
    // Live work asked more than MAX_LEAD_MS after the chunk's goes after it: the chunk is not starved.
    now += PlaybackClock.BACKGROUND_LEAD_MS - PlaybackClock.MAX_LEAD_MS + 1;
    waits.push(waitFor('later', playing));
    threads.release(thread);
    await Promise.all(waits);
    expect(order).toEqual(['arriving', 'playing', 'chunk', 'later']);
  });
});
