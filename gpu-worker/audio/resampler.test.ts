import { describe, expect, it } from 'vitest';
import { createResampler } from './resampler.ts';

const tone = (frequency: number, rate: number, length: number, offset = 0) =>
  Float32Array.from({ length }, (_, i) => 0.5 * Math.sin((2 * Math.PI * frequency * (i + offset)) / rate));

describe('createResampler', () => {
  it('turns 22.05 kHz into 24 kHz, chunk by chunk, with exactly round(n × ratio) samples', async () => {
    const resampler = await createResampler(22_050, 24_000);
    const out: number[] = [];
    let consumed = 0;
    for (const size of [100, 3_000, 1, 2_047, 5_000]) {
      out.push(...resampler.push(tone(440, 22_050, size, consumed)));
      consumed += size;
    }
    out.push(...resampler.end());
    resampler.close();
    expect(out.length).toBe(Math.round((consumed * 24_000) / 22_050));
    // A 440 Hz tone stays a 440 Hz tone: count zero crossings in the steady middle second.
    const middle = out.slice(1_000, 1_000 + 6_000);
    let crossings = 0;
    for (let i = 1; i < middle.length; i++) if (middle[i - 1]! < 0 !== middle[i]! < 0) crossings++;
    expect(crossings / 2 / (6_000 / 24_000)).toBeCloseTo(440, -1);
  });

  it('passes audio through untouched when the rates match', async () => {
    const resampler = await createResampler(24_000, 24_000);
    const input = tone(100, 24_000, 480);
    expect(resampler.push(input)).toBe(input);
    expect(resampler.end()).toHaveLength(0);
  });
});
