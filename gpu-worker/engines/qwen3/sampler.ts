/**
 * Token sampling as the reference configures it: repetition penalty, temperature, top-k, top-p,
 * from a seeded generator so that the same seed gives the same codes (and so the same audio).
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

export interface SamplingParams {
  temperature: number;
  /** 0 = no top-k cut. */
  topK: number;
  /** 1 = no nucleus cut. */
  topP: number;
  /** 1 = none; applied to tokens already generated (HF semantics: divide positive logits, multiply negative). */
  repetitionPenalty: number;
}

/** A seeded uniform [0, 1) source; one per request, so concurrent requests never share state. */
export class Random {
  private readonly rng;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }
  next(): number {
    return uniformFloat64(this.rng);
  }
}

export interface SampleOptions {
  /** Token ids that must not be drawn (control tokens, EOS before the minimum length). */
  banned?: (id: number) => boolean;
  /** Previously generated ids, for the repetition penalty. */
  history?: Iterable<number>;
}

/**
 * Draws one id from `logits` (only the last `vocab` values are read: exports return either the
 * last position or the whole sequence).
 */
export function sample(logits: Float32Array, vocab: number, params: SamplingParams, random: Random, o: SampleOptions = {}): number {
  const offset = logits.length - vocab;
  const scores = new Float64Array(vocab);
  for (let i = 0; i < vocab; i++) scores[i] = logits[offset + i] as number;
  if (params.repetitionPenalty !== 1 && o.history) {
    const seen = new Set(o.history);
    for (const id of seen) {
      if (id < 0 || id >= vocab) continue;
      const s = scores[id] as number;
      scores[id] = s > 0 ? s / params.repetitionPenalty : s * params.repetitionPenalty;
    }
  }
  if (o.banned) for (let i = 0; i < vocab; i++) if (o.banned(i)) scores[i] = -Infinity;

  let order = ranked(scores, params.topK > 0 ? params.topK : vocab);
  if (order.length === 0) throw new Error('sampler: every token is banned');

  const max = scores[order[0] as number] as number;
  const probs = order.map((i) => Math.exp(((scores[i] as number) - max) / params.temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  if (params.topP < 1) {
    // Keep the smallest prefix whose mass reaches top_p (always at least one token).
    let mass = 0;
    let keep = 0;
    while (keep < probs.length && mass < params.topP * total) mass += probs[keep++] as number;
    order = order.slice(0, keep);
    probs.length = keep;
    total = mass;
  }
  let r = random.next() * total;
  for (let k = 0; k < order.length; k++) {
    r -= probs[k] as number;
    if (r < 0) return order[k] as number;
  }
  return order[order.length - 1] as number;
}

/**
 * Ids of the `k` highest finite scores, best first. An insertion list rather than a full sort:
 * with k = 50 of 2,048 most scores are rejected by one comparison (this runs 16 times a frame).
 */
function ranked(scores: Float64Array, k: number): number[] {
  if (k >= scores.length) {
    const all = Array.from(scores.keys()).filter((i) => scores[i] !== -Infinity);
    return all.sort((a, b) => (scores[b] as number) - (scores[a] as number));
  }
  const top: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s === -Infinity) continue;
    if (top.length >= k && s <= (scores[top[top.length - 1] as number] as number)) continue;
    let j = top.length;
    while (j > 0 && (scores[top[j - 1] as number] as number) < s) j--;
    top.splice(j, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}
