import { describe, expect, it } from 'vitest';
import { IdlePool } from './idle-pool.ts';

describe('IdlePool', () => {
  it('hands back what was given back for the same kind, the last given first', () => {
    const pool = new IdlePool<{ id: number }>({ maxPerKind: 4 });
    const [a, b] = [{ id: 1 }, { id: 2 }];
    expect(pool.take('22050>24000')).toBeUndefined();
    pool.giveBack('22050>24000', a);
    pool.giveBack('22050>24000', b);
    expect(pool.take('22050>8000')).toBeUndefined();
    expect(pool.take('22050>24000')).toBe(b);
    expect(pool.take('22050>24000')).toBe(a);
    expect(pool.take('22050>24000')).toBeUndefined();
  });

  it('keeps at most maxPerKind of a kind and frees the rest', () => {
    const freed: number[] = [];
    const pool = new IdlePool<number>({ maxPerKind: 2, free: (item) => freed.push(item) });
    for (const item of [1, 2, 3, 4]) pool.giveBack('lame', item);
    expect(pool.size('lame')).toBe(2);
    expect(freed).toEqual([3, 4]);
  });
});
