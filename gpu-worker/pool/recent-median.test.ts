import { describe, expect, it } from 'vitest';
import { RecentMedian } from './recent-median.ts';

describe('RecentMedian', () => {
  it('is null before any value', () => {
    expect(new RecentMedian().median()).toBeNull();
  });

  it('takes the middle value, or the mean of the two middle ones', () => {
    const window = new RecentMedian();
    for (const value of [30, 10, 20]) window.record(value);
    expect(window.median()).toBe(20);
    window.record(1000);
    expect(window.median()).toBe(25);
  });

  it('forgets values older than its window', () => {
    const window = new RecentMedian(3);
    for (const value of [900, 900, 900, 10, 20, 30]) window.record(value);
    expect(window.median()).toBe(20);
  });
});
