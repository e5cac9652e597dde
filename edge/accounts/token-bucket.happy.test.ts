import { describe, expect, it } from 'vitest';
import { fullBucket, peek, refill, take } from './token-bucket.ts';

const MINUTE = 60_000;

describe('token bucket', () => {
  it('lets exactly `capacity` through at once, then refuses with the wait until one token is back', () => {
    let state = fullBucket(10, 0);
    for (let i = 0; i < 10; i++) {
      const result = take(state, 1, 10, MINUTE, 0);
      expect(result.ok).toBe(true);
      expect(result.remaining).toBe(9 - i);
      state = result.state;
    }
    const refused = take(state, 1, 10, MINUTE, 0);
    expect(refused).toMatchObject({ ok: false, neverFits: false, retryAfterSeconds: 6, remaining: 0, resetSeconds: 60 });
  });

  it('refills continuously at capacity per window, never above capacity', () => {
    const empty = { tokens: 0, updatedMs: 0 };
    expect(refill(empty, 10, MINUTE, 3_000).tokens).toBeCloseTo(0.5);
    expect(refill(empty, 10, MINUTE, 6_000).tokens).toBeCloseTo(1);
    expect(refill(empty, 10, MINUTE, 10 * MINUTE).tokens).toBe(10);
    expect(take(empty, 1, 10, MINUTE, 5_999).ok).toBe(false);
    expect(take(empty, 1, 10, MINUTE, 6_000).ok).toBe(true);
  });

  it('takes a cost of many tokens only whole, and says when a cost can never fit', () => {
    const state = fullBucket(100, 0);
    const partial = take({ tokens: 40, updatedMs: 0 }, 50, 100, MINUTE, 0);
    expect(partial).toMatchObject({ ok: false, neverFits: false, retryAfterSeconds: 6 });
    expect(partial.state.tokens).toBe(40); // nothing taken
    expect(take(state, 101, 100, MINUTE, 0)).toMatchObject({ ok: false, neverFits: true });
  });

  it('a clock that steps back does not mint tokens', () => {
    const state = { tokens: 2, updatedMs: 10_000 };
    expect(refill(state, 10, MINUTE, 5_000)).toEqual({ tokens: 2, updatedMs: 10_000 });
    expect(peek(state, 10, MINUTE, 10_000)).toEqual({ limit: 10, remaining: 2, resetSeconds: 48 });
  });
});
