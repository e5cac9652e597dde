/**
 * A token bucket that holds `capacity` tokens and refills continuously at `capacity` per
 * `windowMs` (a limit "per minute" is a bucket of that many tokens refilled over a minute).
 * Pure arithmetic on a plain state object: the account's Durable Object stores the state and
 * calls these functions inside one synchronous step, which is what makes the counting exact.
 */
export interface BucketState {
  tokens: number;
  /** When `tokens` was last brought up to date (ms since the epoch). */
  updatedMs: number;
}

export interface BucketView {
  limit: number;
  /** Whole tokens left after this decision. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

export type TakeResult =
  | ({ ok: true; state: BucketState } & BucketView)
  | ({ ok: false; state: BucketState; retryAfterSeconds: number; neverFits: boolean } & BucketView);

export const fullBucket = (capacity: number, nowMs: number): BucketState => ({ tokens: capacity, updatedMs: nowMs });

/** The bucket as it stands at `nowMs`, refilled for the time elapsed since it was last updated. */
export function refill(state: BucketState, capacity: number, windowMs: number, nowMs: number): BucketState {
  const elapsed = Math.max(0, nowMs - state.updatedMs);
  const tokens = Math.min(capacity, state.tokens + (elapsed * capacity) / windowMs);
  return { tokens, updatedMs: Math.max(nowMs, state.updatedMs) };
}

function view(tokens: number, capacity: number, windowMs: number): BucketView {
  const missing = capacity - tokens;
  return {
    limit: capacity,
    remaining: Math.max(0, Math.floor(tokens)),
    resetSeconds: missing <= 0 ? 0 : Math.ceil((missing * windowMs) / capacity / 1000),
  };
}

/** Looks at the bucket without taking from it. */
export function peek(state: BucketState, capacity: number, windowMs: number, nowMs: number): BucketView {
  return view(refill(state, capacity, windowMs, nowMs).tokens, capacity, windowMs);
}

/**
 * Takes `cost` tokens if the bucket holds them. When it does not, nothing is taken and
 * `retryAfterSeconds` says when it will (`neverFits` when `cost` exceeds the capacity).
 */
export function take(state: BucketState, cost: number, capacity: number, windowMs: number, nowMs: number): TakeResult {
  const current = refill(state, capacity, windowMs, nowMs);
  if (cost <= current.tokens) {
    const next = { tokens: current.tokens - cost, updatedMs: current.updatedMs };
    return { ok: true, state: next, ...view(next.tokens, capacity, windowMs) };
  }
  const neverFits = cost > capacity;
  const waitMs = ((cost - current.tokens) * windowMs) / capacity;
  return {
    ok: false,
    state: current,
    neverFits,
    retryAfterSeconds: neverFits ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
    ...view(current.tokens, capacity, windowMs),
  };
}
