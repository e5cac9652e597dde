import { describe, expect, it } from 'vitest';
import { notHonoredNotice, parseNotHonoredHeader } from './not-honored.ts';

describe('parseNotHonoredHeader', () => {
  it('reads each kind and its code-point offsets, with the stretch of the input they name', () => {
    const input = '<speak>A 😀 <phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> and <phoneme ph="x">y</phoneme></speak>';
    // In code points: the emoji before it is two UTF-16 units and one code point.
    const tomato = [...input.slice(0, input.indexOf('>tomato') + 1)].length;
    expect(parseNotHonoredHeader(`phoneme ${tomato}-${tomato + 6}, phoneme 88-89`, input)).toEqual([
      { kind: 'phoneme', char_start: tomato, char_end: tomato + 6, text: 'tomato' },
      { kind: 'phoneme', char_start: 88, char_end: 89, text: [...input].slice(88, 89).join('') },
    ]);
  });

  it('is nothing without the header, and skips what it cannot read', () => {
    expect(parseNotHonoredHeader(null, 'x')).toEqual([]);
    expect(parseNotHonoredHeader('', 'x')).toEqual([]);
    expect(parseNotHonoredHeader('phoneme, emphasis 0-1', 'x')).toEqual([{ kind: 'emphasis', char_start: 0, char_end: 1, text: 'x' }]);
  });
});

describe('notHonoredNotice', () => {
  it('names each stretch, or says nothing when all was honoured', () => {
    expect(notHonoredNotice([])).toBe('');
    expect(notHonoredNotice([{ kind: 'phoneme', char_start: 4, char_end: 10, text: 'tomato' }])).toBe(
      'This model cannot honour <phoneme> at characters 4–10 (“tomato”): it was said as plain text.',
    );
    expect(notHonoredNotice([{ kind: 'phoneme', char_start: 0, char_end: 1, text: 'a' }, { kind: 'emphasis', char_start: 2, char_end: 3, text: 'b' }])).toMatch(/, <emphasis> .*they were said/);
  });
});
