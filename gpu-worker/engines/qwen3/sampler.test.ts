import { describe, expect, it } from 'vitest';
import { Random, sample, type SamplingParams } from './sampler.ts';

const plain: SamplingParams = { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 };
const logits = Float32Array.from([0.1, 2.0, 1.9, -1, 0.5, 1.95]);

function histogram(params: SamplingParams, n = 4000, seed = 1, history?: number[]) {
  const random = new Random(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[sample(logits, logits.length, params, random, history ? { history } : {})]!++;
  return counts;
}

describe('sampler', () => {
  it('is reproducible for a seed and varies across seeds', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 50 }, () => sample(logits, 6, plain, r));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('top-k keeps only the k best', () => {
    const counts = histogram({ ...plain, topK: 2 });
    expect(counts[1]! + counts[5]!).toBe(4000);
    expect(counts[1]).toBeGreaterThan(0);
    expect(counts[5]).toBeGreaterThan(0);
  });

  it('top-p keeps the smallest set reaching the mass', () => {
    const counts = histogram({ ...plain, topP: 0.3 });
    expect(counts[1]).toBe(4000);
  });

  it('low temperature approaches argmax, high temperature flattens', () => {
    expect(histogram({ ...plain, temperature: 0.001 })[1]).toBe(4000);
    expect(histogram({ ...plain, temperature: 100 })[3]).toBeGreaterThan(400);
  });

  it('repetition penalty lowers tokens already drawn', () => {
    const without = histogram(plain);
    const penalised = histogram({ ...plain, repetitionPenalty: 3 }, 4000, 1, [1]);
    expect(penalised[1]!).toBeLessThan(without[1]! / 2);
  });

  it('never draws a banned token and reads the last `vocab` logits', () => {
    const r = new Random(3);
    const twoRows = Float32Array.from([9, 9, 9, 9, 9, 9, ...logits]);
    for (let i = 0; i < 500; i++) {
      const id = sample(twoRows, 6, plain, r, { banned: (t) => t === 1 || t === 5 });
      expect([1, 5]).not.toContain(id);
    }
  });
});
