import { describe, expect, it } from 'vitest';
import { parseRuleLines, RuleLineError, ruleLine } from './rule-lines.ts';

describe('parseRuleLines', () => {
  it('reads aliases and IPA phonemes, a line each, skipping blanks and comments', () => {
    expect(parseRuleLines('SQL -> sequel\n\n# made-up words\nblicket /ˈblɪkɪt/\r\nNew York → the Big Apple\n')).toEqual([
      { type: 'alias', string_to_replace: 'SQL', alias: 'sequel' },
      { type: 'phoneme', string_to_replace: 'blicket', phoneme: 'ˈblɪkɪt', alphabet: 'ipa' },
      { type: 'alias', string_to_replace: 'New York', alias: 'the Big Apple' },
    ]);
  });

  it('keeps spaces inside a phrase and its phonemes', () => {
    expect(parseRuleLines('  Ada Lovelace  /ˈeɪdə ˈlʌvleɪs/ ')).toEqual([{ type: 'phoneme', string_to_replace: 'Ada Lovelace', phoneme: 'ˈeɪdə ˈlʌvleɪs', alphabet: 'ipa' }]);
  });

  it('names the first line that is not a rule', () => {
    const attempt = () => parseRuleLines('SQL -> sequel\nblicket\nGIF -> jif');
    expect(attempt).toThrow(RuleLineError);
    expect(attempt).toThrow(/^Line 2 is not a rule: “blicket”/);
    expect(() => parseRuleLines('x //')).toThrow(/^Line 1 /);
    expect(() => parseRuleLines('-> sequel')).toThrow(/^Line 1 /);
  });

  it('is nothing for no lines', () => {
    expect(parseRuleLines(' \n# only a comment\n')).toEqual([]);
  });
});

describe('ruleLine', () => {
  it('writes a rule back as its line, with what the line cannot say after it', () => {
    expect(ruleLine({ type: 'alias', string_to_replace: 'SQL', alias: 'sequel', case_sensitive: true, word_boundaries: true })).toBe('SQL -> sequel');
    expect(ruleLine({ type: 'phoneme', string_to_replace: 'blicket', phoneme: 'bl"IkIt', alphabet: 'x-sampa', case_sensitive: false, word_boundaries: true })).toBe(
      'blicket /bl"IkIt/ (X-SAMPA, any case)',
    );
    const line = ruleLine({ type: 'phoneme', string_to_replace: 'blicket', phoneme: 'ˈblɪkɪt', alphabet: 'ipa', case_sensitive: true, word_boundaries: true });
    expect(parseRuleLines(line)).toEqual([{ type: 'phoneme', string_to_replace: 'blicket', phoneme: 'ˈblɪkɪt', alphabet: 'ipa' }]);
  });
});
