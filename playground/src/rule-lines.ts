import type { PronunciationRule, PronunciationRuleInput } from '../../shared/schemas/pronunciation.ts';

/**
 * Dictionary rules as a person types them, a line each: `SQL -> sequel` says "sequel" for "SQL"
 * (an alias); `blicket /ˈblɪkɪt/` says "blicket" with those IPA phonemes. Blank lines and lines
 * starting with # are skipped. Matching options stay the API's defaults (case-sensitive, whole words).
 */

export class RuleLineError extends Error {
  readonly line: number;

  constructor(line: number, text: string) {
    super(`Line ${line} is not a rule: “${text}”. Write “SQL -> sequel” for an alias, or “blicket /ˈblɪkɪt/” for IPA phonemes.`);
    this.name = 'RuleLineError';
    this.line = line;
  }
}

const ALIAS = /^(.+?)\s*(?:->|→)\s*(.+)$/u;
const PHONEME = /^(.+?)\s+\/(.+)\/$/u;

/** The rules the lines say, in order; throws a RuleLineError for the first line that says none. */
export function parseRuleLines(text: string): PronunciationRuleInput[] {
  const rules: PronunciationRuleInput[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const alias = ALIAS.exec(line);
    if (alias) return void rules.push({ type: 'alias', string_to_replace: alias[1]!, alias: alias[2]! });
    const phoneme = PHONEME.exec(line);
    if (phoneme && phoneme[2]!.trim()) return void rules.push({ type: 'phoneme', string_to_replace: phoneme[1]!, phoneme: phoneme[2]!.trim(), alphabet: 'ipa' });
    throw new RuleLineError(index + 1, line);
  });
  return rules;
}

/** A stored rule written the way parseRuleLines reads it (X-SAMPA and the options said after it). */
export function ruleLine(rule: PronunciationRule): string {
  const said = rule.type === 'alias' ? `${rule.string_to_replace} -> ${rule.alias}` : `${rule.string_to_replace} /${rule.phoneme}/`;
  const notes = [
    rule.type === 'phoneme' && rule.alphabet !== 'ipa' ? rule.alphabet.toUpperCase() : undefined,
    rule.case_sensitive ? undefined : 'any case',
    rule.word_boundaries ? undefined : 'inside words too',
  ].filter(Boolean);
  return notes.length ? `${said} (${notes.join(', ')})` : said;
}
