import { describe, expect, it } from 'vitest';
import { hzToMel, melFilterbank, melSpectrogram, melToHz, SPEAKER_MEL } from './mel.ts';

describe('speaker mel features', () => {
  it('uses the Slaney mel scale (linear to 1 kHz, logarithmic above) and inverts it', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 6);
    expect(hzToMel(500)).toBeCloseTo(7.5, 6);
    for (const hz of [0, 300, 1000, 4000, 12000]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 3);
  });

  it('has 128 unit-area triangular filters up to 12 kHz', () => {
    const filters = melFilterbank(SPEAKER_MEL);
    expect(filters).toHaveLength(128);
    expect(filters[0]).toHaveLength(513);
    const binHz = 24000 / 1024;
    // Slaney normalisation: each triangle's area in Hz is 1.
    const area = filters[60]!.reduce((a, w) => a + w * binHz, 0);
    expect(area).toBeCloseTo(1, 1);
    // Nothing above fmax.
    expect(filters[127]!.slice(Math.ceil(12000 / binHz) + 1).every((w) => w === 0)).toBe(true);
  });

  it('frames the signal with hop 256 after reflect padding, and peaks at the tone', () => {
    const n = 24000;
    const tone = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 3000 * i) / 24000));
    const { data, frames } = melSpectrogram(tone);
    expect(frames).toBe(Math.floor((n + 768 - 1024) / 256) + 1);
    const frame = data.subarray(40 * 128, 41 * 128);
    const peak = frame.indexOf(Math.max(...frame));
    const filters = melFilterbank(SPEAKER_MEL);
    const bin3k = Math.round(3000 / (24000 / 1024));
    const best = filters.map((f) => f[bin3k]!).indexOf(Math.max(...filters.map((f) => f[bin3k]!)));
    expect(Math.abs(peak - best)).toBeLessThanOrEqual(1);
    // Silence is clamped at log(1e-5), not -Infinity.
    const silent = melSpectrogram(new Float32Array(4800));
    expect(Math.min(...silent.data)).toBeCloseTo(Math.log(1e-5), 3);
  });
});
