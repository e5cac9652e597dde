import { describe, expect, it } from 'vitest';
import { sentenceSpans, splitIntoSentences } from './sentences.ts';
import { wordSpans } from './words.ts';

describe('splitIntoSentences', () => {
  it('splits at sentence ends', () => {
    expect(splitIntoSentences('Hello there. How are you? Fine!', 'en')).toEqual(['Hello there.', 'How are you?', 'Fine!']);
  });

  it('splits Chinese and Japanese at their full stops', () => {
    expect(splitIntoSentences('今天很好。明天也好。', 'zh')).toEqual(['今天很好。', '明天也好。']);
    expect(splitIntoSentences('こんにちは。さようなら。', 'ja')).toEqual(['こんにちは。', 'さようなら。']);
  });

  it('breaks an over-long sentence at a comma or space, losing no text', () => {
    const long = Array.from({ length: 40 }, (_, i) => `clause ${i},`).join(' ') + ' end.';
    const pieces = splitIntoSentences(long, 'en', 100);
    expect(pieces.every((piece) => piece.length <= 100)).toBe(true);
    expect(pieces.join(' ')).toBe(long);
  });

  it('cuts text with no spaces at the limit', () => {
    const pieces = splitIntoSentences('x'.repeat(250), 'en', 100);
    expect(pieces.map((p) => p.length)).toEqual([100, 100, 50]);
  });
});

describe('sentenceSpans and wordSpans', () => {
  it('say where each piece starts, so word positions map back to the input', () => {
    const text = '  First one.   Second,\n' + Array.from({ length: 30 }, (_, i) => `clause ${i},`).join(' ') + ' end.';
    for (const piece of sentenceSpans(text, 'en', 100)) expect(text.slice(piece.start, piece.start + piece.text.length)).toBe(piece.text);
  });

  it('count words in code points, past astral characters', () => {
    const text = '😀 naïve café, 東京!';
    const words = wordSpans(text, 'en').map(({ start, end }) => [...text].slice(start, end).join(''));
    expect(words).toEqual(['naïve', 'café', '東京']);
  });
});
