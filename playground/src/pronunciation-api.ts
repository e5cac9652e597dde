import type { PronunciationRule, PronunciationRuleInput } from '../../shared/schemas/pronunciation.ts';
import { apiJson } from './api.ts';

/**
 * The pronunciation dictionary routes as the playground calls them (docs/pronunciation.md): every
 * path and answer shape the page depends on is here, so a change in the API is one edit.
 */

/** A row of `GET /v1/pronunciation-dictionaries` (no rules). */
export interface DictionarySummary {
  id: string;
  name: string;
  description: string | null;
  latest_version: number;
  /** In the brief's list shape; the dictionaries branch does not send it (yet): shown when present. */
  rules_count?: number;
  created_at: string;
  updated_at: string;
}

/** A change of the rules answers the version it made, without the rules. */
export interface DictionaryVersion extends DictionarySummary {
  version: number;
}

/** `GET /v1/pronunciation-dictionaries/{id}` (and what creating one answers): one version with its rules. */
export interface Dictionary extends DictionaryVersion {
  rules: PronunciationRule[];
}

interface DictionaryPage {
  data: DictionarySummary[];
  has_more: boolean;
  next_after?: string | null;
}

const BASE = '/v1/pronunciation-dictionaries';
const PAGE_SIZE = 100;

/** All of the account's dictionaries, newest first, page after page. */
export async function listDictionaries(): Promise<DictionarySummary[]> {
  const all: DictionarySummary[] = [];
  let after: string | null | undefined;
  for (;;) {
    const page = await apiJson<DictionaryPage>(`${BASE}?limit=${PAGE_SIZE}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    all.push(...page.data);
    // A page that says there is more names where it ended, or ends on its last row.
    after = page.next_after ?? page.data.at(-1)?.id;
    if (!page.has_more || !after) return all;
  }
}

export const getDictionary = (id: string, version?: number) =>
  apiJson<Dictionary>(`${BASE}/${encodeURIComponent(id)}${version ? `?version=${version}` : ''}`);

export const createDictionary = (name: string, rules: PronunciationRuleInput[]) => apiJson<Dictionary>(BASE, { method: 'POST', json: { name, rules } });

/** From a PLS file (W3C Pronunciation Lexicon Specification), sent as it is. */
export function importDictionary(name: string, file: File): Promise<Dictionary> {
  const body = new FormData();
  body.set('file', file);
  body.set('name', name);
  return apiJson<Dictionary>(BASE, { method: 'POST', body });
}

/** Adds rules (one for a string already there replaces it): the answer is the new version, without its rules. */
export const addRules = (id: string, rules: PronunciationRuleInput[]) =>
  apiJson<DictionaryVersion>(`${BASE}/${encodeURIComponent(id)}/rules`, { method: 'POST', json: { rules } });
