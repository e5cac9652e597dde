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
 * requests this isolate has open there (which it knows before any heartbeat does) and how long
 * its streams there have lasted.
 */

/**
 * How long streams of each worker last, send to last byte, as this isolate saw its own end
 * (the heartbeat does not say): how fast a full worker frees its slots.
 */
export class StreamDurations {
  private readonly recent = new Map<string, number[]>();
  private readonly size: number;

  constructor(size = 20) {
    this.size = size;
  }

  record(url: string, ms: number): void {
    const list = this.recent.get(url) ?? [];
    list.push(ms);
    if (list.length > this.size) list.shift();
    this.recent.set(url, list);
  }

  /** The median of the last few; 0 before any (a full worker's wait is then its ttfa alone). */
  of(url: string): number {
    const list = this.recent.get(url);
    if (!list?.length) return 0;
    return list.toSorted((a, b) => a - b)[list.length >> 1]!;
  }
}

/**
 * How long a new request sent to `member` would wait for its first audio, ms. A worker with a
 * free slot starts it at once: 0 (its ttfa may be inflated by queueing that is over, so it is not
 * used). A full one: its recent time to first audio, plus the wait for a slot: it frees `capacity`
 * slots every `streamMs`, and this request comes after those queued ahead of it.
 */
export function firstAudioWaitMs(member: SheddingMember, openHere: number, streamMs: number): number {
  const { active, queued, ttfa_ms: ttfa } = member.load;
  // The isolate's own requests are in `active`/`queued` once a heartbeat tells them: not added twice.
  const occupied = Math.max(active + queued, openHere);
  if (occupied < member.capacity) return 0;
  const ahead = occupied - member.capacity;
  return (ttfa ?? 0) + ((ahead + 1) / member.capacity) * streamMs;
}

/**
 * The refusal when no worker in `candidates` can give first audio within `budgetMs`, or null.
 * Retry-After: how long until the best worker's wait is back within the budget, at the rate it
 * frees slots (at least 1 s). No candidate: not for shedding to say (dispatch refuses it).
 */
export function saturation(
  candidates: readonly SheddingMember[],
  openHere: (url: string) => number,
  streams: StreamDurations,
  budgetMs: number,
): ApiError | null {
  if (candidates.length === 0) return null;
  const best = Math.min(...candidates.map((m) => firstAudioWaitMs(m, openHere(m.url), streams.of(m.url))));
  if (best <= budgetMs) return null;
  return poolSaturated(Math.ceil((best - budgetMs) / 1000), budgetMs);
}

export const poolSaturated = (retryAfterSeconds: number, budgetMs: number) =>
  new ApiError(503, 'service_unavailable', 'pool_saturated', `Every speech worker is too busy to start this request within ${budgetMs} ms; try again shortly.`, {
    headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) },
  });
