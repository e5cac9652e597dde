import { describe, expect, it } from 'vitest';
import { unspokenText } from './unspoken-text.ts';

const words = [
  { word: 'One', char_start: 0, char_end: 3, start_ms: 0, end_ms: 300 },
  { word: 'two', char_start: 4, char_end: 7, start_ms: 400, end_ms: 700 },
];

describe('unspokenText', () => {
  it('starts again at the word the break cut off', () => {
    expect(unspokenText('One two three.', words, 500)).toEqual({ text: 'two three.', skipped: 4 });
  });
  it('starts after the last word heard whole', () => {
    expect(unspokenText('One two three.', words, 750)).toEqual({ text: ' three.', skipped: 7 });
  });
  it('with no words heard, says it all again', () => {
    expect(unspokenText('One two.', [], 0)).toEqual({ text: 'One two.', skipped: 0 });
  });
});
