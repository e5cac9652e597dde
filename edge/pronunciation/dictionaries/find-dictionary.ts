import type { PronunciationRule } from '../../../shared/schemas/pronunciation.ts';
import type { DictionaryRow, DictionaryStore } from '../../storage/pronunciation-dictionaries.ts';
import { dictionaryNotFound, versionNotFound } from './errors.ts';

/** One of the account's dictionaries with the rules of a version (default its latest); 404 otherwise. */
export async function findDictionary(
  store: DictionaryStore,
  accountId: string,
  id: string,
  version: number | undefined,
): Promise<{ row: DictionaryRow; version: number; rules: PronunciationRule[] }> {
  const row = await store.get(accountId, id);
  if (!row) throw dictionaryNotFound(id, 'id');
  const wanted = version ?? row.latest_version;
  const rules = wanted <= row.latest_version ? await store.rules(accountId, id, wanted) : null;
  if (!rules) throw versionNotFound(id, wanted, row.latest_version, 'version');
  return { row, version: wanted, rules };
}
