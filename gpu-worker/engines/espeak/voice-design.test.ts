import { describe, expect, it } from 'vitest';
import { describedGender, designParams } from './voice-design.ts';

describe('espeak voice design (description → settings)', () => {
  it('maps a deep, slow, elderly man to the elderly male variant, low and slow', () => {
    expect(designParams('A deep, slow, elderly male voice')).toEqual({ variant: 'grandpa', pitch: 25, range: 50, rate: 0.68 });
  });

  it('maps a high, fast young woman to the female variant, high and fast', () => {
    expect(designParams('High, fast young woman')).toEqual({ variant: 'f3', pitch: 78, range: 50, rate: 1.35 });
  });

  it('reads monotone, expressive, whisper and child cues', () => {
    expect(designParams('a flat, monotone robot man').range).toBe(10);
    expect(designParams('an expressive, lively storyteller').range).toBe(80);
    expect(designParams('a man whispering').variant).toBe('whisper');
    expect(designParams('a woman who whispers').variant).toBe('whisperf');
    expect(designParams('a little girl')).toMatchObject({ variant: 'f5', pitch: 75 });
  });

  it('takes a low voice without a gender word as a man, anything else as a woman', () => {
    expect(designParams('a deep, booming narrator').variant).toBe('m3');
    expect(designParams('a warm narrator')).toEqual({ variant: 'f3', pitch: 50, range: 50, rate: 1 });
  });

  it('finds the gender named first, and not "man" inside "woman"', () => {
    expect(describedGender('a woman')).toBe('female');
    expect(describedGender('a man talking to his sister')).toBe('male');
    expect(describedGender('a calm narrator')).toBeUndefined();
  });

  it('refuses an empty description', () => {
    expect(() => designParams('   ')).toThrow(expect.objectContaining({ code: 'empty_description', param: 'description' }));
  });
});
