import type { CacheEntryRef } from '../cache/cache-status.ts';

/** A cached rendering as the index records it when its audio has been stored. */
export interface StoredCacheEntry extends CacheEntryRef {
  /** Whether the stored object holds the words too (timed frames), not the audio alone. */
  timed: boolean;
  bytes: number;
}

/**
 * The audio cache's index in D1 (migration 0009): one row per cached rendering. Hits are served
 * from the Cache API or R2 without reading it; it is what purges (a voice deleted, a dictionary
 * changed, a model pack replaced) and evictions (an account's size and age bounds) read.
 */
export class D1AudioCacheIndex {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  /** Records a stored rendering (again: the newer object, timed or not, replaces the row's size). */
  async record(entry: StoredCacheEntry, now = new Date()): Promise<void> {
    const at = now.toISOString();
    await this.db
      .prepare(
        `INSERT INTO audio_cache_entries (scope, key, account_id, model, model_version, voice_id, voice_version, dictionaries, timed, bytes, created_at, last_hit_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
         ON CONFLICT (scope, key) DO UPDATE SET timed = excluded.timed, bytes = excluded.bytes, last_hit_at = excluded.last_hit_at, doomed_at = NULL`,
      )
      .bind(
        entry.scope,
        entry.key,
        entry.accountId,
        entry.model,
        entry.modelVersion,
        entry.voiceId,
        entry.voiceVersion,
        entry.dictionaries.length > 0 ? `,${entry.dictionaries.join(',')},` : '',
        entry.timed ? 1 : 0,
        entry.bytes,
        at,
      )
      .run();
  }

  /** Counts a hit: the entry was heard now (the LRU order) and saved a rendering. */
  async touch(scope: string, key: string, now = new Date()): Promise<void> {
    await this.db.prepare('UPDATE audio_cache_entries SET last_hit_at = ?3, hits = hits + 1 WHERE scope = ?1 AND key = ?2').bind(scope, key, now.toISOString()).run();
  }
}
