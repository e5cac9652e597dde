import { expect } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';

/**
 * What every transport's word timestamps must be: in input order, starts monotonic, each inside
 * the audio, and each word's characters (code points) slicing `input` to the word itself.
 */
export function expectWellFormedWords(words: WordTimestamp[], input: string, audioMs: number): void {
  const characters = [...input];
  expect(words.length).toBeGreaterThan(0);
  words.forEach((word, i) => {
    const context = JSON.stringify(word);
    expect(characters.slice(word.char_start, word.char_end).join(''), context).toBe(word.word);
    expect(word.start_ms, context).toBeLessThanOrEqual(word.end_ms);
    expect(word.end_ms, context).toBeLessThanOrEqual(audioMs);
    if (i === 0) return;
    expect(word.start_ms, context).toBeGreaterThanOrEqual(words[i - 1]!.start_ms);
    expect(word.char_start, context).toBeGreaterThanOrEqual(words[i - 1]!.char_end);
  });
}

/** The words of plain text (letters and digits), for comparing with the words a worker timed. */
export const wordsOf = (text: string): string[] => text.match(/[\p{L}\p{N}]+/gu) ?? [];
