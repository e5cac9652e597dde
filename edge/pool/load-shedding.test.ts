import { describe, expect, it } from 'vitest';
import { firstAudioWaitMs, type SheddingMember, withinBudget, WorkerThroughput } from './load-shedding.ts';

const member = (url: string, capacity: number, active: number, queued: number, ttfa: number | null): SheddingMember => ({
  url,
  capacity,
  load: { active, queued, ttfa_ms: ttfa },
});

describe('load shedding: the estimate of a new stream’s wait for first audio', () => {
  it('is 0 on a worker with a free slot, however slow its recent first audio', () => {
    expect(firstAudioWaitMs(member('a', 4, 3, 0, 9_000), 0, 1)).toBe(0);
  });

  it('on a full worker: its time to first audio plus a slot’s turn per request ahead, at the rate it finishes streams', () => {
    // One stream finished a second. Two queued ahead, this one third: 3 s, plus 200 ms.
    expect(firstAudioWaitMs(member('a', 4, 4, 2, 200), 0, 1)).toBe(3_200);
  });

  it('on a full worker whose pace is not known yet: its time to first audio alone', () => {
    expect(firstAudioWaitMs(member('a', 4, 4, 2, 200), 0, null)).toBe(200);
  });

  it('counts the requests this isolate has open there before a heartbeat reports them', () => {
    expect(firstAudioWaitMs(member('a', 2, 0, 0, 100), 2, 2)).toBe(100 + 500);
  });
});

describe('load shedding: how fast a worker finishes streams', () => {
  it('is unknown before any stream ended there', () => {
    expect(new WorkerThroughput().perSecond('a')).toBeNull();
  });

  it('counts the streams that were open alongside (Little’s law): a short stream on an idle worker does not promise a full one that pace', () => {
    const throughput = new WorkerThroughput();
    throughput.record('a', 250, 1); // alone: 4 a second
    expect(throughput.perSecond('a')).toBe(4);
    // Twenty at once, each 4 s: 5 a second, not 20 / 0.25 s = 80.
    for (let i = 0; i < 5; i++) throughput.record('a', 4_000, 20);
    expect(throughput.perSecond('a')).toBe(5);
  });

  it('for patience, the slowest of its recent streams: two short ones do not outvote a long one (a stall deadline must not shrink)', () => {
    const throughput = new WorkerThroughput();
    throughput.record('a', 300, 1);
    throughput.record('a', 300, 1);
    throughput.record('a', 6_000, 1);
    expect(throughput.perSecond('a')).toBeCloseTo(1000 / 300);
    expect(throughput.slowest('a')).toBeCloseTo(1000 / 6_000);
    expect(new WorkerThroughput().slowest('a')).toBeNull();
  });

  it('judges each worker by its own streams, the last few of them', () => {
    const throughput = new WorkerThroughput(3);
    for (const ms of [100, 100, 100, 1_000, 1_000]) throughput.record('a', ms, 1);
    throughput.record('b', 500, 1);
    expect(throughput.perSecond('a')).toBe(1); // the 100 ms ones aged out but one
    expect(throughput.perSecond('b')).toBe(2);
  });
});

describe('load shedding: which workers may take a new stream', () => {
  const throughput = new WorkerThroughput();
  throughput.record('a', 4_000, 4); // one a second
  throughput.record('b', 4_000, 4);
  throughput.record('c', 4_000, 4);

  it('the workers whose wait is within the budget, not only the best of them', () => {
    const idle = member('a', 4, 1, 0, 500);
    const justFull = member('b', 4, 4, 0, 500); // 500 + 1 × 1000 = 1.5 s
    const deep = member('c', 4, 4, 12, 500); // 500 + 13 × 1000 = 13.5 s
    expect(withinBudget([idle, justFull, deep], () => 0, throughput, 2_000)).toEqual({ within: [idle, justFull] });
  });

  it('refuses when none is, with a Retry-After until the best is back within the budget', () => {
    const full = member('a', 4, 4, 12, 500); // 13.5 s
    const lessFull = member('b', 4, 4, 4, 500); // 500 + 5 × 1000 = 5.5 s
    expect(withinBudget([full, lessFull], () => 0, throughput, 2_000).refusal).toMatchObject({
      status: 503,
      code: 'pool_saturated',
      headers: { 'retry-after': '4' },
    });
  });

  it('counts what this isolate has sent or admitted for a worker before its heartbeat tells', () => {
    const quiet = member('a', 4, 0, 0, 500); // its heartbeat says idle; 8 are on their way: 500 + 5 × 1000
    expect(withinBudget([quiet], () => 8, throughput, 2_000).refusal).toMatchObject({ code: 'pool_saturated' });
  });

  it('leaves no candidate to dispatch, which refuses it', () => {
    expect(withinBudget([], () => 0, throughput, 2_000)).toEqual({ within: [] });
  });

  it('asks a client to come back in at least a second', () => {
    expect(withinBudget([member('a', 1, 1, 0, 5)], () => 0, new WorkerThroughput(), 1).refusal?.headers['retry-after']).toBe('1');
  });
});
