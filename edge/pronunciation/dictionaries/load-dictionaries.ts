import type { DictionaryLocator, DictionaryRules } from '../../../shared/schemas/pronunciation.ts';
import { applyDictionaries } from '../apply-rules.ts';
import type { SpeechScript } from '../script.ts';
import type { Env } from '../../env.ts';
import { dictionaryStore } from './dictionary-store.ts';
import { dictionaryNotFound, VERSION_NOT_FOUND_ERRORS, versionNotFound } from './errors.ts';

/** What a speech request naming dictionaries can be refused with (both 404s, on `pronunciation_dictionaries`). */
export const LOAD_DICTIONARIES_ERRORS = VERSION_NOT_FOUND_ERRORS;

const PARAM = 'pronunciation_dictionaries';

/**
 * The rules of the dictionaries a speech request names, in the locators' order, for the speech
 * core to apply. The latest versions are looked up in one D1 read for all of them; a version's
 * rules come from KV (D1 on a miss), so a request pinned to versions reads no D1 at all once they
 * are cached. An id the account has not (or deleted) is 404 pronunciation_dictionary_not_found; a
 * version it has not, pronunciation_dictionary_version_not_found.
 */
export async function loadDictionaries(env: Pick<Env, 'DB' | 'VOICES'>, accountId: string, locators: DictionaryLocator[]): Promise<DictionaryRules[]> {
  const store = dictionaryStore(env);
  const unpinned = locators.filter((locator) => locator.version === undefined).map(({ id }) => id);
  const latest = await store.latestVersions(accountId, [...new Set(unpinned)]);
  return Promise.all(
    locators.map(async ({ id, version: pinned }) => {
      const version = pinned ?? latest.get(id);
      if (version === undefined) throw dictionaryNotFound(id, PARAM);
      const rules = await store.rules(accountId, id, version);
      if (rules) return { id, version, rules };
      // A pinned version that is not there: say whether the dictionary is.
      const row = await store.get(accountId, id);
      if (!row) throw dictionaryNotFound(id, PARAM);
      throw versionNotFound(id, version, row.latest_version, PARAM);
    }),
  );
}

/** The script with the dictionaries a request names applied, in order (404 for one the account has not). */
export async function withDictionaries(env: Pick<Env, 'DB' | 'VOICES'>, accountId: string, script: SpeechScript, locators: readonly DictionaryLocator[] | undefined): Promise<SpeechScript> {
  if (!locators || locators.length === 0) return script;
  return applyDictionaries(script, await loadDictionaries(env, accountId, [...locators]));
}
