import { describe, expect, it } from 'vitest';
import { cacheHitChargeFor, chargeFor } from './settlement.ts';

// English at speed 1: 55 ms of audio a character.
const audio = (ms: number) => ({ ms, speed: 1, language: 'en' });
const completed = { completed: true };
const cutShort = { completed: false };

describe('the charge of a cache hit', () => {
  it('charges a completed hit its characters at the hit price, rounded up', () => {
    expect(cacheHitChargeFor(100, completed, audio(5_500), 0.25)).toBe(25);
    expect(cacheHitChargeFor(101, completed, audio(5_555), 0.25)).toBe(26);
    expect(cacheHitChargeFor(7, completed, audio(385), 0.01)).toBe(1);
  });

  it('charges nothing at price 0, however much was heard', () => {
    expect(cacheHitChargeFor(100, completed, audio(5_500), 0)).toBe(0);
    expect(cacheHitChargeFor(100, cutShort, audio(2_750), 0)).toBe(0);
  });

  it('does not round a float product a hair above a whole number up to the next credit', () => {
    // 100 × 0.07 and 50 × 0.14 are both 7.000000000000001 in floating point.
    expect(cacheHitChargeFor(100, completed, audio(5_500), 0.07)).toBe(7);
    expect(cacheHitChargeFor(50, completed, audio(2_750), 0.14)).toBe(7);
  });

  it('charges a hit cut short the lesser of the hit price and its delivered audio', () => {
    // Half of 100 characters heard (2,750 ms is 50 characters' worth): at price 1 that half, as a rendering is charged.
    expect(cacheHitChargeFor(100, cutShort, audio(2_750), 1)).toBe(50);
    // At price 0.25 the hit price (25) is less than the audio's worth (50).
    expect(cacheHitChargeFor(100, cutShort, audio(2_750), 0.25)).toBe(25);
    // A tenth heard (10 characters' worth) is less than the hit price: the audio's worth.
    expect(cacheHitChargeFor(100, cutShort, audio(550), 0.25)).toBe(10);
    expect(cacheHitChargeFor(100, cutShort, audio(0), 0.25)).toBe(0);
  });

  it('is the ordinary charge at the default price 1', () => {
    for (const [characters, outcome, ms] of [
      [100, completed, 5_500],
      [100, cutShort, 1_234],
      [13, cutShort, 10_000],
      [1, completed, 0],
    ] as const) {
      expect(cacheHitChargeFor(characters, outcome, audio(ms), 1)).toBe(chargeFor(characters, outcome, audio(ms)));
    }
  });
});
