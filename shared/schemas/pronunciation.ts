import { z } from 'zod';

/**
 * Pronunciation dictionaries: per-account lists of rules that change how words are said, named by
 * a speech request (`pronunciation_dictionaries`). The rule shapes are ElevenLabs' (alias and
 * phoneme rules), so a client written for its dictionaries sends the same JSON.
 */

/** A request names at most this many dictionaries, applied in order (the first rule that matches a stretch wins). */
export const MAX_DICTIONARIES_PER_REQUEST = 3;
/** Rules in one version of a dictionary. */
export const MAX_RULES_PER_DICTIONARY = 1000;
/** Code points of a rule's `string_to_replace`, `alias` or `phoneme`. */
export const MAX_RULE_STRING = 200;

export const PHONETIC_ALPHABETS = ['ipa', 'x-sampa'] as const;
export type PhoneticAlphabet = (typeof PHONETIC_ALPHABETS)[number];

const ruleMatching = {
  string_to_replace: z.string().min(1).max(MAX_RULE_STRING).describe('The text the rule applies to, as it appears in the input.'),
  case_sensitive: z.boolean().default(true).describe('Match only this exact case. Default true.'),
  word_boundaries: z.boolean().default(true).describe('Match only whole words (not "SQL" inside "MySQL"). Default true.'),
};

export const AliasRuleSchema = z.object({
  type: z.literal('alias'),
  ...ruleMatching,
  alias: z.string().min(1).max(MAX_RULE_STRING).describe('What is said instead, as text: "sequel" for "SQL".'),
});

export const PhonemeRuleSchema = z.object({
  type: z.literal('phoneme'),
  ...ruleMatching,
  phoneme: z.string().min(1).max(MAX_RULE_STRING).describe('How it is said, in `alphabet`: "ˈsiːkwəl".'),
  alphabet: z.enum(PHONETIC_ALPHABETS).describe('`ipa` or `x-sampa`.'),
});

export const PronunciationRuleSchema = z.discriminatedUnion('type', [AliasRuleSchema, PhonemeRuleSchema]);
/** A rule as stored and applied: matching options filled in. */
export type PronunciationRule = z.infer<typeof PronunciationRuleSchema>;
/** A rule as a client may send it (matching options optional). */
export type PronunciationRuleInput = z.input<typeof PronunciationRuleSchema>;

/** How a request names a dictionary: its id, and a version (absent: the latest). */
export const DictionaryLocatorSchema = z.object({
  id: z.string().min(1).max(128),
  version: z.number().int().positive().optional().describe('A version of the dictionary; default its latest.'),
});
export type DictionaryLocator = z.infer<typeof DictionaryLocatorSchema>;

export const DictionaryLocatorsSchema = z
  .array(DictionaryLocatorSchema)
  .max(MAX_DICTIONARIES_PER_REQUEST)
  .describe(`Pronunciation dictionaries to apply, in order (at most ${MAX_DICTIONARIES_PER_REQUEST}): the first rule that matches a stretch of text wins.`);

/** The rules of one version of a dictionary, as the speech core applies them. */
export interface DictionaryRules {
  id: string;
  version: number;
  rules: PronunciationRule[];
}
