import { describe, expect, it } from 'vitest';
import type { SheddingMember } from './load-shedding.ts';
import { firstAudioDeadlineMs, silenceDeadlineMs, type StallSettings } from './stall-deadline.ts';

const SETTINGS: StallSettings = { unknownMs: 15_000, multiple: 4, floorMs: 3_000, ceilingMs: 60_000 };

const member = (capacity: number, active: number, queued: number, ttfa: number | null): SheddingMember => ({
  url: 'http://worker',
  capacity,
  load: { active, queued, ttfa_ms: ttfa },
});

describe('stall deadline before the first audio', () => {
  it('is FIRST_BYTE_TIMEOUT_MS while the worker has reported no time to first audio', () => {
    expect(firstAudioDeadlineMs(member(16, 0, 0, null), 0, null, SETTINGS)).toBe(15_000);
  });

  it('is the floor for a fast worker: a 5 ms ttfa does not give a 20 ms deadline', () => {
    expect(firstAudioDeadlineMs(member(16, 1, 0, 5), 0, 4, SETTINGS)).toBe(3_000);
  });

  it('grows with a slow worker’s own ttfa, past FIRST_BYTE_TIMEOUT_MS: overloaded is not dead', () => {
    expect(firstAudioDeadlineMs(member(16, 10, 0, 1_500), 0, 4, SETTINGS)).toBe(6_000);
    expect(firstAudioDeadlineMs(member(16, 10, 0, 5_000), 0, 4, SETTINGS)).toBe(20_000);
  });

  it('on a full worker, counts the wait for a slot (load shedding’s estimate), including requests this isolate has open there', () => {
    // Full (1 of 1), freeing a slot every 5 s: 100 ms ttfa + 5 s for the slot, times 4.
    expect(firstAudioDeadlineMs(member(1, 1, 0, 100), 0, 0.2, SETTINGS)).toBe(20_400);
    // The heartbeat says idle, but this isolate has two open on a worker of two slots.
    expect(firstAudioDeadlineMs(member(2, 0, 0, 100), 2, 0.5, SETTINGS)).toBe(4 * (100 + 2_000));
    expect(firstAudioDeadlineMs(member(2, 0, 0, 100), 1, 0.5, SETTINGS)).toBe(3_000);
  });

  it('never exceeds the ceiling, however slow the report', () => {
    expect(firstAudioDeadlineMs(member(1, 1, 40, 9_000), 0, 1 / 60, SETTINGS)).toBe(60_000);
  });
});

describe('stall deadline of a playing stream (no byte while the edge waits for one)', () => {
  it('is FIRST_BYTE_TIMEOUT_MS while the worker has reported no time to first audio', () => {
    expect(silenceDeadlineMs(member(16, 0, 0, null), SETTINGS)).toBe(15_000);
  });

  it('is a multiple of the worker’s ttfa within floor and ceiling, plus the 2 s a stream may wait for its turn', () => {
    expect(silenceDeadlineMs(member(16, 1, 0, 40), SETTINGS)).toBe(3_000 + 2_000);
    expect(silenceDeadlineMs(member(16, 12, 0, 2_000), SETTINGS)).toBe(8_000 + 2_000);
    expect(silenceDeadlineMs(member(16, 12, 0, 30_000), SETTINGS)).toBe(60_000 + 2_000);
  });
});
