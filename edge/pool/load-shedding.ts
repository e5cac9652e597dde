import { ApiError } from '../../shared/errors.ts';
import type { WorkerLoad } from '../../shared/protocol/pool.ts';

/** What shedding reads of a pool member (members.ts' PoolMember): kept free of the Workers runtime's types. */
export interface SheddingMember {
  url: string;
  capacity: number;
  load: WorkerLoad;
}

/**
 * Load shedding: a request whose first audio cannot come within the budget is refused at once
 * (503 `pool_saturated`, with a Retry-After) rather than queued behind streams it would wait
 * seconds for. Judged from what the workers report in their heartbeats (capacity, active,
 * queued, and ttfa_ms: the recent median from arrival to first audio, queueing included), the
 * requests this isolate has open or has admitted for there (which it knows before any heartbeat
 * does) and how fast its streams there have ended.
 */

/**
 * How many streams a second each worker finishes, as this isolate saw its own streams end (the
 * heartbeat does not say): how fast a full worker frees its slots. Each stream gives one sample
 * by Little's law: the streams open on the worker when it was sent (it included) over its
 * duration, send to last byte. A stream's duration alone would not do: on a worker whose
 * streams share its processors, one measured while the worker was nearly idle is short, and
 * promised a full worker's slots a pace it cannot keep (a burst onto a quiet pool was admitted
 * into queues seconds long). At low occupancy the sample understates the pace: it errs toward
 * shedding until streams measured on a full worker replace it.
 */
export class WorkerThroughput {
  private readonly recent = new Map<string, number[]>();
  private readonly size: number;

  constructor(size = 20) {
    this.size = size;
  }

  /** A stream that lasted `ms`, sent while `occupancy` streams (it included) were open there. */
  record(url: string, ms: number, occupancy: number): void {
    const list = this.recent.get(url) ?? [];
    list.push((Math.max(1, occupancy) * 1000) / Math.max(1, ms));
    if (list.length > this.size) list.shift();
    this.recent.set(url, list);
  }

  /** Streams a second: the median of the last few samples; null before any. */
  perSecond(url: string): number | null {
    const list = this.recent.get(url);
    if (!list?.length) return null;
    return list.toSorted((a, b) => a - b)[list.length >> 1]!;
  }

  /** The slowest of the last few samples; null before any. What patience is judged by (stall-deadline.ts): slow is not dead. */
  slowest(url: string): number | null {
    const list = this.recent.get(url);
    return list?.length ? Math.min(...list) : null;
  }
}

/**
 * How long a new request sent to `member` would wait for its first audio, ms. A worker with a
 * free slot starts it at once: 0 (its ttfa may be inflated by queueing that is over, so it is not
 * used). A full one: its recent time to first audio, plus the wait for a slot: it frees slots at
 * `streamsPerSecond`, and this request comes after those queued ahead of it (no rate known yet:
 * its time to first audio alone).
 */
export function firstAudioWaitMs(member: SheddingMember, openHere: number, streamsPerSecond: number | null): number {
  const { ahead, full } = queuePosition(member, openHere);
  if (!full) return 0;
  return (member.load.ttfa_ms ?? 0) + (streamsPerSecond ? ((ahead + 1) / streamsPerSecond) * 1000 : 0);
}

/** The streams open on `member` (the worker's report, or this isolate's own count when higher) and how many of them wait for a slot. */
export function queuePosition(member: SheddingMember, openHere: number): { occupied: number; ahead: number; full: boolean } {
  // The isolate's own requests are in `active`/`queued` once a heartbeat tells them: not added twice.
  const occupied = Math.max(member.load.active + member.load.queued, openHere);
  return { occupied, ahead: Math.max(0, occupied - member.capacity), full: occupied >= member.capacity };
}

/**
 * The workers of `candidates` that could give a new stream its first audio within `budgetMs`
 * (the request goes to one of these: judging by the best worker and sending to another sent
 * admitted requests into queues over the budget), or the refusal when none can. Retry-After: how
 * long until the best worker's wait is back within the budget, at the rate it frees slots (at
 * least 1 s). No candidate: not for shedding to say (dispatch refuses it), so no refusal.
 */
export function withinBudget<M extends SheddingMember>(
  candidates: readonly M[],
  openHere: (url: string) => number,
  throughput: WorkerThroughput,
  budgetMs: number,
): { within: M[]; refusal?: never } | { refusal: ApiError; within?: never } {
  const waits = candidates.map((m) => firstAudioWaitMs(m, openHere(m.url), throughput.perSecond(m.url)));
  const within = candidates.filter((_, i) => waits[i]! <= budgetMs);
  if (within.length > 0 || candidates.length === 0) return { within };
  return { refusal: poolSaturated(Math.ceil((Math.min(...waits) - budgetMs) / 1000), budgetMs) };
}

export const poolSaturated = (retryAfterSeconds: number, budgetMs: number) =>
  new ApiError(503, 'service_unavailable', 'pool_saturated', `Every speech worker is too busy to start this request within ${budgetMs} ms; try again shortly.`, {
    headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) },
  });
