import { describe, expect, it } from 'vitest';
import { ssmlErrorRange } from './ssml-error-position.ts';

describe('ssmlErrorRange', () => {
  it('is the character the message names, in UTF-16 units past astral characters', () => {
    const input = '<speak>😀 <audio/></speak>';
    // The emoji is one code point and two UTF-16 units: character 9 is the "<" of <audio/>.
    const [start, end] = ssmlErrorRange('Unknown SSML element <audio> at line 1, column 10 (character 9).', input)!;
    expect(input.slice(start, end)).toBe('<');
    expect(input.slice(start)).toMatch(/^<audio/);
  });

  it('is an empty range at the end, and nothing for a message without a position or one beyond the text', () => {
    expect(ssmlErrorRange('Unclosed <speak> at line 1, column 8 (character 7).', '<speak>')).toEqual([7, 7]);
    expect(ssmlErrorRange('SSML is longer than 16384 characters.', '<speak/>')).toBeUndefined();
    expect(ssmlErrorRange('Problem at line 1, column 99 (character 98).', '<speak/>')).toBeUndefined();
  });
});
