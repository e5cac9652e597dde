import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../../../../shared/protocol/timed-audio.ts';
import { expectWellFormedAlignment } from '../../../../test/character-alignment.ts';
import { CharacterAligner, type CharacterAlignment, characterAlignment, joinAlignments } from './alignment.ts';

/** Words of `text` found in order, timed as given (ms). */
function timed(text: string, times: Array<[word: string, startMs: number, endMs: number]>): WordTimestamp[] {
  const characters = [...text];
  let from = 0;
  return times.map(([word, start_ms, end_ms]) => {
    const at = characters.findIndex((_, i) => i >= from && characters.slice(i, i + [...word].length).join('') === word);
    if (at < 0) throw new Error(`${word} is not in ${text} after ${from}`);
    from = at + [...word].length;
    return { word, char_start: at, char_end: from, start_ms, end_ms };
  });
}

/** The checks every alignment passes, over `audioMs` of audio. */
const expectWellFormed = (alignment: CharacterAlignment, text: string, audioMs: number) => expectWellFormedAlignment(alignment, text, audioMs / 1000);

const TEXT = 'Hello, big world.';
const WORDS = timed(TEXT, [
  ['Hello', 100, 600],
  ['big', 700, 900],
  ['world', 1000, 1500],
]);

describe('characterAlignment', () => {
  it("shares each word's span among its characters, and the gaps among the characters between", () => {
    const alignment = characterAlignment(TEXT, WORDS, 2000);
    expectWellFormed(alignment, TEXT, 2000);
    const at = (i: number) => [alignment.character_start_times_seconds[i], alignment.character_end_times_seconds[i]];
    // "Hello": 100 ms a character from 0.1 s.
    expect([0, 1, 2, 3, 4].map(at)).toEqual([[0.1, 0.2], [0.2, 0.3], [0.3, 0.4], [0.4, 0.5], [0.5, 0.6]]);
    // ", " between Hello (ends 0.6 s) and big (starts 0.7 s).
    expect([5, 6].map(at)).toEqual([[0.6, 0.65], [0.65, 0.7]]);
    // "world" then "." to the end of the audio.
    expect(at(11)).toEqual([1.0, 1.1]);
    expect(at(16)).toEqual([1.5, 2.0]);
  });

  it('leading characters run from the start of the audio to the first word', () => {
    const text = '  "Quoted"';
    const alignment = characterAlignment(text, timed(text, [['Quoted', 300, 900]]), 1000);
    expectWellFormed(alignment, text, 1000);
    expect(alignment.character_start_times_seconds.slice(0, 3)).toEqual([0, 0.1, 0.2]);
    expect(alignment.character_start_times_seconds[3]).toBe(0.3);
    expect(alignment.character_end_times_seconds.at(-1)).toBe(1);
  });

  it('times a word the engine did not (voiced with its neighbour) within the gap around it', () => {
    const text = 'Hello from the edge.';
    // espeak may voice "the" with "edge": it has no time of its own.
    const alignment = characterAlignment(text, timed(text, [['Hello', 0, 400], ['from', 450, 700], ['edge', 800, 1200]]), 1300);
    expectWellFormed(alignment, text, 1300);
    const the = [...text].indexOf('t');
    expect(alignment.characters.slice(the, the + 3).join('')).toBe('the');
    for (const i of [the, the + 1, the + 2]) {
      expect(alignment.character_start_times_seconds[i]).toBeGreaterThanOrEqual(0.7);
      expect(alignment.character_end_times_seconds[i]).toBeLessThanOrEqual(0.8);
    }
  });

  it('keeps starts non-decreasing when words overlap, and counts characters as code points', () => {
    const text = 'Grüße 👋🏽 an 日本';
    const words = timed(text, [['Grüße', 0, 500], ['an', 400, 600], ['日本', 550, 900]]);
    const alignment = characterAlignment(text, words, 950);
    expectWellFormed(alignment, text, 950);
    expect(alignment.characters).toContain('👋');
    expect(alignment.characters).toHaveLength([...text].length);
  });

  it('with no words at all, spreads the text over the whole audio', () => {
    const alignment = characterAlignment('...', [], 300);
    expectWellFormed(alignment, '...', 300);
    expect(alignment.character_start_times_seconds).toEqual([0, 0.1, 0.2]);
    expect(alignment.character_end_times_seconds).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('CharacterAligner, chunk by chunk', () => {
  it('gives each word with the characters before it, then the rest at the end: together, the whole alignment', () => {
    const aligner = new CharacterAligner(TEXT);
    const chunks = [aligner.take(WORDS.slice(0, 1)), aligner.take([]), aligner.take(WORDS.slice(1)), aligner.finish(2000)];
    expect(chunks.map((chunk) => chunk.characters.join(''))).toEqual(['Hello', '', ', big world', '.']);
    expect(joinAlignments(chunks)).toEqual(characterAlignment(TEXT, WORDS, 2000));
  });

  it('takes its text piece by piece as a socket receives it: the same alignment as with the whole text first', () => {
    const aligner = new CharacterAligner('');
    const pieces = ['Hel', 'lo, big', ' world.'];
    aligner.append(pieces[0]!);
    aligner.append(pieces[1]!);
    const first = aligner.take(WORDS.slice(0, 1));
    aligner.append(pieces[2]!);
    const chunks = [first, aligner.take(WORDS.slice(1)), aligner.finish(2000)];
    expect(pieces.join('')).toBe(TEXT);
    expect(joinAlignments(chunks)).toEqual(characterAlignment(TEXT, WORDS, 2000));
  });

  it('ignores a word given again (a stream resumed on another worker repeats none, but a slip costs nothing)', () => {
    const aligner = new CharacterAligner(TEXT);
    aligner.take(WORDS.slice(0, 2));
    expect(aligner.take(WORDS.slice(1)).characters.join('')).toBe(' world');
  });
});
