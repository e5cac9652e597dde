import { describe, expect, it } from 'vitest';
import { firstAudioWaitMs, saturation, type SheddingMember, StreamDurations } from './load-shedding.ts';

const member = (url: string, capacity: number, active: number, queued: number, ttfa: number | null): SheddingMember => ({
  url,
  capacity,
  load: { active, queued, ttfa_ms: ttfa },
});

describe('load shedding: the estimate of a new stream’s wait for first audio', () => {
  it('is 0 on a worker with a free slot, however slow its recent first audio', () => {
    expect(firstAudioWaitMs(member('a', 4, 3, 0, 9_000), 0, 5_000)).toBe(0);
  });

  it('on a full worker: its time to first audio plus its share of a round of slots per request ahead', () => {
    // 4 slots freed every 4 s: one a second. Two queued ahead, this one third: 3 s, plus 200 ms.
    expect(firstAudioWaitMs(member('a', 4, 4, 2, 200), 0, 4_000)).toBe(3_200);
  });

  it('counts the requests this isolate has open there before a heartbeat reports them', () => {
    expect(firstAudioWaitMs(member('a', 2, 0, 0, 100), 2, 1_000)).toBe(100 + 500);
  });

  it('refuses only when the best worker exceeds the budget, with a Retry-After until it is back within it', () => {
    const streams = new StreamDurations();
    streams.record('a', 4_000);
    streams.record('b', 4_000);
    const full = member('a', 4, 4, 12, 500); // 500 + 13 × 1000 = 13.5 s
    const lessFull = member('b', 4, 4, 4, 500); // 500 + 5 × 1000 = 5.5 s
    const refusal = saturation([full, lessFull], () => 0, streams, 2_000);
    expect(refusal).toMatchObject({ status: 503, code: 'pool_saturated', headers: { 'retry-after': '4' } });
    expect(saturation([full, member('c', 4, 1, 0, 500)], () => 0, streams, 2_000)).toBeNull();
    expect(saturation([], () => 0, streams, 2_000)).toBeNull();
  });

  it('asks a client to come back in at least a second', () => {
    const streams = new StreamDurations();
    expect(saturation([member('a', 1, 1, 0, 5)], () => 0, streams, 1)?.headers['retry-after']).toBe('1');
  });
});
