import { z } from 'zod';
import { MAX_RULES_PER_DICTIONARY, PronunciationRuleSchema, type PronunciationRule } from '../../../shared/schemas/pronunciation.ts';
import type { DictionaryRow } from '../../storage/pronunciation-dictionaries.ts';

/** A dictionary as the API shows it: listed without rules, read with the rules of one version. */

export const DICTIONARY_ID_PREFIX = 'pd_';

/** `pd_` and 24 random hex digits: unguessable, so an id says nothing about the account or its other dictionaries. */
export function newDictionaryId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return DICTIONARY_ID_PREFIX + [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

export const DictionaryNameSchema = z.string().trim().min(1).max(100);
export const DictionaryDescriptionSchema = z.string().trim().min(1).max(1000);
export const RuleListSchema = z.array(PronunciationRuleSchema).min(1).max(MAX_RULES_PER_DICTIONARY);

export const DictionarySummarySchema = z
  .object({
    id: z.string(),
    object: z.literal('pronunciation_dictionary'),
    name: z.string(),
    description: z.string().nullable(),
    latest_version: z.number().int().describe('Every change of the rules makes a new version: 1, 2, 3...'),
    created_at: z.string().describe('ISO 8601.'),
    updated_at: z.string().describe('When the latest version was made (ISO 8601).'),
  })
  .meta({ id: 'PronunciationDictionarySummary' });

export const DictionarySchema = DictionarySummarySchema.extend({
  version: z.number().int().describe('The version whose rules these are.'),
  rules: z.array(PronunciationRuleSchema),
}).meta({ id: 'PronunciationDictionary' });

export const DictionaryListSchema = z.object({
  object: z.literal('list'),
  data: z.array(DictionarySummarySchema),
  has_more: z.boolean(),
  next_after: z.string().nullable().describe('Pass as `after` for the next page; null on the last.'),
});

export const dictionarySummary = (row: DictionaryRow): z.infer<typeof DictionarySummarySchema> => ({
  id: row.id,
  object: 'pronunciation_dictionary',
  name: row.name,
  description: row.description,
  latest_version: row.latest_version,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

export const dictionaryObject = (row: DictionaryRow, version: number, rules: PronunciationRule[]): z.infer<typeof DictionarySchema> => ({
  ...dictionarySummary(row),
  version,
  rules,
});
