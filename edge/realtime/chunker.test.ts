import { describe, expect, it } from 'vitest';
import { TextChunker } from './chunker.ts';

const sentence = { boundary: 'sentence', max_characters: 250, max_delay_ms: 1000 } as const;
const feed = (chunker: TextChunker, pieces: string[]) => pieces.flatMap((piece, i) => chunker.push(piece, i));

describe('TextChunker', () => {
  it('cuts at each sentence end as soon as it is seen, token by token', () => {
    const chunker = new TextChunker(sentence);
    expect(feed(chunker, ['Hello', ' there', '.', ' How', ' are', ' you', '?', ' Fine'])).toEqual(['Hello there.', ' How are you?']);
    expect(chunker.flush()).toBe(' Fine');
  });

  it('waits on a full stop that may be an abbreviation or a number', () => {
    const chunker = new TextChunker(sentence);
    expect(feed(chunker, ['Ask', ' Dr.'])).toEqual([]);
    expect(feed(chunker, [' Smith', ' at', ' 3.'])).toEqual([]);
    expect(feed(chunker, ['14', ' sharp.'])).toEqual(['Ask Dr. Smith at 3.14 sharp.']);
  });

  it('clause chunking also cuts at commas; CJK stops need no space', () => {
    const clause = new TextChunker({ ...sentence, boundary: 'clause' });
    expect(feed(clause, ['First, ', 'second; third'])).toEqual(['First, ', 'second; ']);
    expect(feed(new TextChunker(sentence), ['你好。', '今天'])).toEqual(['你好。']);
  });

  it('cuts text without a boundary at a space once it reaches max_characters', () => {
    const chunker = new TextChunker({ ...sentence, max_characters: 20 });
    const pieces = feed(chunker, ['one two three four five six seven']);
    expect(pieces[0]).toBe('one two three four ');
    expect(chunker.flush()).toBe('five six seven');
  });

  it('speaks text that waited too long up to its last space, keeping the word still being written', () => {
    const chunker = new TextChunker(sentence);
    chunker.push('and then it goes on wri', 0);
    expect(chunker.takeOverdue(1000)).toBe('and then it goes on ');
    expect(chunker.waitingSince).toBe(1000);
    expect(chunker.takeOverdue(2000)).toBe(''); // only "wri": it waits on
    chunker.push('ting ', 2100);
    expect(chunker.takeOverdue(3000)).toBe('writing ');
    chunker.push('今天天气很好', 3100);
    expect(chunker.takeOverdue(4100)).toBe('今天天气很好');
    expect(chunker.waitingSince).toBeNull();
  });

  it('gives back every character in order, blank lines and trailing spaces too, so offsets into the text hold', () => {
    const chunker = new TextChunker(sentence);
    const pieces = feed(chunker, ['One.\n', '\nTwo.', ' ']);
    expect(pieces).toEqual(['One.\n', '\n', 'Two.']);
    expect(chunker.flush()).toBe(' ');
  });

  it('says since when text waits, and forgets it on clear', () => {
    const chunker = new TextChunker(sentence);
    chunker.push('no end yet', 5);
    expect(chunker.waitingSince).toBe(5);
    chunker.clear();
    expect(chunker.waitingSince).toBeNull();
    expect(chunker.flush()).toBe('');
  });
});
