import { describe, expect, it } from 'vitest';
import { markdownText } from './markdown-text.ts';

describe('markdownText', () => {
  it('keeps the words and drops the markup, one paragraph per block', () => {
    const markdown = [
      '# Chapter *One*',
      '',
      'It was a **dark** and [stormy](https://example.com) night.',
      '',
      '- first item',
      '- second `item`',
      '',
      '> A quote.',
      '',
      '![a lighthouse](l.png)',
    ].join('\n');
    expect(markdownText(markdown)).toBe(['Chapter One', 'It was a dark and stormy night.', 'first item', 'second item', 'A quote.', 'a lighthouse'].join('\n\n'));
  });

  it('reads table cells and code as text, and nothing of a rule', () => {
    const markdown = '| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n```\nprint(1)\n```';
    expect(markdownText(markdown)).toBe(['a, b', '1, 2', 'print(1)'].join('\n\n'));
  });
});
