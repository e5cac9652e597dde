import { describe, expect, it } from 'vitest';
import { typedSince } from './typed-text.ts';

describe('typedSince', () => {
  it('is what was typed at the end', () => {
    expect(typedSince('Hello', 'Hello there')).toBe(' there');
    expect(typedSince('', 'Hi')).toBe('Hi');
  });

  it('is what was typed in the middle, not the end of the old text', () => {
    expect(typedSince('Hello there.', 'Hello out there.')).toBe('out ');
  });

  it('is nothing for deletions and replacements: what was sent is being said', () => {
    expect(typedSince('Hello there.', 'Hello.')).toBe('');
    expect(typedSince('Hello there.', 'Howdy there.')).toBe('');
    expect(typedSince('Hello', 'Hello')).toBe('');
  });
});
