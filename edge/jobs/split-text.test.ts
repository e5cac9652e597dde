import { describe, expect, it } from 'vitest';
import { CHUNK_CHARACTERS, FIRST_CHUNK_CHARACTERS, splitJobText } from './split-text.ts';

const sentence = (i: number) => `Sentence number ${i} says a few words about the weather and the sea. `;

describe('splitJobText', () => {
  it('covers the text exactly, in order, with true offsets', () => {
    const text = Array.from({ length: 12 }, (_, p) => Array.from({ length: 8 }, (_, s) => sentence(p * 8 + s)).join('') + '\n\n').join('') + 'The end.';
    const chunks = splitJobText(text);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
    let offset = 0;
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.index).toBe(i);
      expect(chunk.char_offset).toBe(offset);
      expect(chunk.characters).toBe([...chunk.text].length);
      expect(chunk.text.trim().length).toBeGreaterThan(0);
      offset += chunk.characters;
    }
  });

  it('keeps the first chunk short and the others within the limit, cut at sentence ends', () => {
    const text = Array.from({ length: 200 }, (_, i) => sentence(i)).join('');
    const chunks = splitJobText(text);
    expect(chunks[0]!.characters).toBeLessThanOrEqual(FIRST_CHUNK_CHARACTERS);
    for (const chunk of chunks) {
      expect(chunk.characters).toBeLessThanOrEqual(CHUNK_CHARACTERS);
      expect(chunk.text).toMatch(/\.\s*$/);
    }
    expect(chunks.length).toBeGreaterThan(text.length / CHUNK_CHARACTERS);
  });

  it('ends a long enough chunk at a paragraph, not mid-paragraph', () => {
    const paragraph = Array.from({ length: 10 }, (_, i) => sentence(i)).join('') + '\n\n';
    const chunks = splitJobText(paragraph.repeat(6));
    for (const chunk of chunks.slice(1)) expect(chunk.text.endsWith('\n\n')).toBe(true);
  });

  it('does not cut after an abbreviation or a number', () => {
    const text = 'Dr. Smith met Mr. Jones at 3.15 p.m. on the pier. '.repeat(60);
    for (const chunk of splitJobText(text)) expect(chunk.text).toMatch(/pier\.\s*$/);
  });

  it('cuts a run-on sentence with no boundary at a space', () => {
    const text = 'word '.repeat(2000);
    const chunks = splitJobText(text);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
    for (const chunk of chunks) expect(chunk.characters).toBeLessThanOrEqual(CHUNK_CHARACTERS);
  });

  it('counts code points: emoji and CJK keep offsets true', () => {
    const text = '今日は良い天気です。'.repeat(100) + '🎉 done.';
    const chunks = splitJobText(text);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
    expect(chunks.reduce((sum, chunk) => sum + chunk.characters, 0)).toBe([...text].length);
  });
});
