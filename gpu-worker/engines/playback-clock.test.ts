import { describe, expect, it } from 'vitest';
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
});
