import type { Env } from '../../env.ts';
import { D1DictionaryStore, type DictionaryStore } from '../../storage/pronunciation-dictionaries.ts';

/** The store of the deployment's bindings: D1 for the truth, the voices' KV namespace for versions' rules. */
export const dictionaryStore = (env: Pick<Env, 'DB' | 'VOICES'>): DictionaryStore => new D1DictionaryStore(env.DB, env.VOICES);
