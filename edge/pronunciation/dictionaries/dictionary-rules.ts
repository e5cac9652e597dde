import { invalidRequest } from '../../../shared/errors.ts';
import { toIpa } from '../../../shared/pronunciation/phonetic.ts';
import { MAX_RULES_PER_DICTIONARY, type PronunciationRule } from '../../../shared/schemas/pronunciation.ts';
import { tooManyRules } from './errors.ts';

/**
 * The rules of a version, as the routes change them. Rules are stored as given (their alphabet
 * kept, for download); here each phoneme is only checked to be one of its alphabet, with the
 * conversion the speech core applies later. Within a dictionary `string_to_replace` is a key: a
 * rule for a string already there takes the old rule's place.
 */

/** How a refusal names a rule: in the message, and as the request field. */
export interface RuleName {
  label: string;
  param: string;
}

/** Names a rule of a JSON list by its index: `rules[3]`, param `rules.3.phoneme`. */
export const ruleOfList =
  (field: string) =>
  (index: number): RuleName => ({ label: `${field}[${index}]`, param: `${field}.${index}.phoneme` });

/** 400 invalid_phoneme naming the first rule whose phoneme is not one of its alphabet. */
export function checkPhonemes(rules: PronunciationRule[], nameOf: (index: number) => RuleName): void {
  rules.forEach((rule, index) => {
    if (rule.type !== 'phoneme') return;
    const converted = toIpa(rule.phoneme, rule.alphabet);
    if (!converted.ok) {
      const { label, param } = nameOf(index);
      throw invalidRequest('invalid_phoneme', `${label} ("${rule.string_to_replace}"): ${rule.alphabet} phoneme "${rule.phoneme}": ${converted.error}`, param);
    }
  });
}

/** `rules` with one rule per string_to_replace, the later rule where two share one (in the earlier one's place). */
export function withoutRepeats(rules: PronunciationRule[]): PronunciationRule[] {
  const byString = new Map<string, PronunciationRule>();
  for (const rule of rules) byString.set(rule.string_to_replace, rule);
  return [...byString.values()];
}

/** 400 too_many_rules when a version would hold more than a dictionary may. */
export function checkCount(rules: PronunciationRule[], param: string): PronunciationRule[] {
  if (rules.length > MAX_RULES_PER_DICTIONARY) throw tooManyRules(rules.length, param);
  return rules;
}

/** The current rules with `added` in: a rule for a string already there replaces it where it stands. */
export const addRules = (current: PronunciationRule[], added: PronunciationRule[]): PronunciationRule[] => checkCount(withoutRepeats([...current, ...added]), 'rules');

/** The current rules without those for `strings`, and which of `strings` had none. */
export function removeRules(current: PronunciationRule[], strings: string[]): { rules: PronunciationRule[]; notFound: string[] } {
  const removing = new Set(strings);
  const present = new Set(current.map((rule) => rule.string_to_replace));
  return {
    rules: current.filter((rule) => !removing.has(rule.string_to_replace)),
    notFound: [...removing].filter((string) => !present.has(string)),
  };
}
