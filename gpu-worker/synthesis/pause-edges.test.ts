import { describe, expect, it } from 'vitest';
import { concatSamples } from '../../shared/audio/pcm.ts';
import { SoundEnd, SoundStart } from './pause-edges.ts';

// At 1,000 Hz a window is 10 samples and a ramp 5.
const RATE = 1000;
const tone = (quietBefore: number, loud: number, quietAfter: number) => {
  const audio = new Float32Array(quietBefore + loud + quietAfter);
  audio.fill(0.5, quietBefore, quietBefore + loud);
  return audio;
};

describe('SoundEnd', () => {
  it('passes the sound on as it comes and holds only what may be the quiet after it', () => {
    const end = new SoundEnd(RATE);
    // 100 loud samples, then quiet: all but one ramp before the sound's end goes on at once.
    expect(end.push(tone(0, 100, 40)).length).toBe(95);
    // More sound: the quiet held before it was not the end after all, and goes on.
    expect(end.push(tone(0, 50, 30)).length).toBe(40 + 50);
    const rest = end.end();
    // What is left: the last ramp of sound, whole, and one ramp of the quiet after it (ramped down).
    expect(rest.quiet).toBe(5);
    expect(rest.audio).toEqual(tone(0, 5, 5));
  });

  it('ramps down the end of a take that stops mid-sound', () => {
    const end = new SoundEnd(RATE);
    const passed = end.push(tone(0, 100, 0));
    const rest = end.end();
    expect(passed.length + rest.audio.length).toBe(100);
    expect(rest.quiet).toBe(0);
    expect(Math.abs(rest.audio.at(-1)!)).toBeLessThan(0.05);
    expect(rest.audio[0]).toBeGreaterThan(0.4);
  });

  it('keeps a take with no sound at all to one ramp', () => {
    const end = new SoundEnd(RATE);
    expect(end.push(new Float32Array(100)).length).toBe(0);
    expect(end.end()).toMatchObject({ quiet: 5 });
  });
});

describe('SoundStart', () => {
  it('holds the quiet before the first sound and lets the sound on from one ramp before it', () => {
    const start = new SoundStart(RATE);
    expect(start.push(new Float32Array(42)).length).toBe(0);
    expect(start.started).toBe(false);
    const out = start.push(tone(8, 100, 0));
    // The sound starts in the window at 50: from 45 on, ramped up; 45 samples cut.
    expect(start.started).toBe(true);
    expect(start.shift).toBe(-45);
    expect(out.length).toBe(150 - 45);
    expect(out[0]).toBeLessThan(0.05);
    expect(start.push(tone(0, 10, 0))).toEqual(tone(0, 10, 0));
  });

  it('pads with silence where the sound starts sooner than a ramp in', () => {
    const start = new SoundStart(RATE);
    const out = start.push(tone(0, 30, 0));
    expect(start.shift).toBe(5);
    expect(out.length).toBe(35);
    expect(concatSamples([out]).slice(0, 5).every((sample) => Math.abs(sample) < 0.5)).toBe(true);
  });

  it('gives back a take with no sound as it was', () => {
    const start = new SoundStart(RATE);
    start.push(new Float32Array(25));
    expect(start.end().length).toBe(25);
  });
});
