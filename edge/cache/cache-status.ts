/**
 * What the audio cache did for a speech request: served it (`hit`, no worker called), rendered it
 * and stored it behind the stream (`miss`), or stayed out of it (`off`: the request or the account
 * turned the cache off, or the model's rendering is not deterministic). The answer's `x-tts-cache`
 * header and the ledger row's `cache` say it.
 */
export type CacheStatus = 'hit' | 'miss' | 'off';
export const CACHE_STATUSES = ['hit', 'miss', 'off'] as const satisfies readonly CacheStatus[];

/** Where a rendering is cached and what shaped it: what the index keeps to purge it when that changes. */
export interface CacheEntryRef {
  /** The account id, or `shared` for an operator's shared preset phrases (AUDIO_CACHE_SHARED_PHRASES). */
  scope: string;
  /** SHA-256 (hex) of everything that shapes the audio (cache-key.ts). */
  key: string;
  /** The account the request was for (also for a shared entry: the first to render it). */
  accountId: string;
  model: string;
  modelVersion: string;
  voiceId: string;
  /** The account voice's version; null for a preset. */
  voiceVersion: number | null;
  /** The pronunciation dictionaries applied, `id@version`, in order. */
  dictionaries: string[];
}

/** The object's name in the AUDIO_CACHE bucket (and, under CACHE_API_ORIGIN, in the Cache API). */
export const cacheObjectName = ({ scope, key }: Pick<CacheEntryRef, 'scope' | 'key'>) => `${scope}/${key}`;

/** The hot copy's URL in the Cache API of a location: a host no request reaches, named for the entry. */
export const cacheApiUrl = (ref: Pick<CacheEntryRef, 'scope' | 'key'>) => `https://audio-cache.open-tts.internal/${cacheObjectName(ref)}`;
