import { describe, expect, it } from 'vitest';
import { medianPitchHz, pitchContour, pitchStats } from './pitch.ts';

/** A voiced-like tone: F0 and three harmonics of falling strength. */
const harmonicTone = (f0: number, sampleRate: number, seconds: number) =>
  Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) =>
    [1, 0.6, 0.4, 0.25].reduce((sum, amplitude, h) => sum + 0.2 * amplitude * Math.sin((2 * Math.PI * f0 * (h + 1) * i) / sampleRate), 0),
  );

describe('pitch analysis', () => {
  it.each([
    [110, 24_000],
    [220, 24_000],
    [110, 44_100],
    [220, 16_000],
    [60, 22_050],
    [400, 48_000],
  ])('finds the F0 of a %d Hz harmonic tone at %d Hz within 3%%', (f0, sampleRate) => {
    const median = medianPitchHz(harmonicTone(f0, sampleRate, 1), sampleRate);
    expect(median).toBeDefined();
    expect(Math.abs(median! / f0 - 1)).toBeLessThan(0.03);
  });

  it('finds no pitch in silence', () => {
    expect(medianPitchHz(new Float32Array(24_000), 24_000)).toBeUndefined();
    expect(pitchStats(pitchContour(new Float32Array(24_000), 24_000))).toBeUndefined();
  });

  it('measures the spread of a gliding tone in semitones, and the loud time', () => {
    // One second at 110 Hz then one at 220 Hz (an octave up), then a second of silence.
    const rate = 24_000;
    const clip = new Float32Array(3 * rate);
    clip.set(harmonicTone(110, rate, 1));
    clip.set(harmonicTone(220, rate, 1), rate);
    const stats = pitchStats(pitchContour(clip, rate))!;
    expect(stats.lowHz).toBeCloseTo(110, -1);
    expect(stats.highHz).toBeCloseTo(220, -1);
    expect(stats.spreadSemitones).toBeGreaterThan(11);
    expect(stats.spreadSemitones).toBeLessThan(13);
    expect(stats.speechSeconds).toBeGreaterThan(1.8);
    expect(stats.speechSeconds).toBeLessThan(2.2);
  });

  it('keeps a steady tone steady: no spread', () => {
    expect(pitchStats(pitchContour(harmonicTone(150, 22_050, 1), 22_050))!.spreadSemitones).toBeLessThan(0.1);
  });
});
