import type { CacheEntryRef } from '../cache/cache-status.ts';

/** A row's place: its object is `<scope>/<key>` in AUDIO_CACHE (cacheObjectName). */
export type CacheEntryPlace = Pick<CacheEntryRef, 'scope' | 'key'>;

/** What the sweep bounds each account's cache by (edgeConfig(env).audioCache). */
export interface CacheBounds {
  maxBytesPerAccount: number;
  maxAgeMs: number;
}

/** A cached rendering as the index records it when its audio has been stored. */
export interface StoredCacheEntry extends CacheEntryRef {
  /** Whether the stored object holds the words too (timed frames), not the audio alone. */
  timed: boolean;
  bytes: number;
}

/** The cache's size and what it saved, from the index. */
export interface CacheTotals {
  /** Entries that can be served (not doomed). */
  entries: number;
  /** Their audio's bytes in R2. */
  bytes: number;
  /** Hits the entries have had: renderings saved (a purged entry's count goes with it). */
  hits: number;
  /** Entries doomed and waiting for the purge. */
  doomed: number;
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

  /** What the cache holds: all of it, or one account's (its own entries; shared ones are nobody's). */
  async totals(accountId?: string): Promise<CacheTotals> {
    const where = accountId === undefined ? '' : "WHERE account_id = ?1 AND scope <> 'shared'";
    const statement = this.db.prepare(
      `SELECT count(*) - count(doomed_at) AS entries, coalesce(sum(CASE WHEN doomed_at IS NULL THEN bytes END), 0) AS bytes,
         coalesce(sum(hits), 0) AS hits, count(doomed_at) AS doomed FROM audio_cache_entries ${where}`,
    );
    return (await (accountId === undefined ? statement : statement.bind(accountId)).first<CacheTotals>())!;
  }

  /** Counts `hits` hits: the entry was heard now (the LRU order) and saved as many renderings. */
  async touch(scope: string, key: string, hits = 1, now = new Date()): Promise<void> {
    await this.db
      .prepare('UPDATE audio_cache_entries SET last_hit_at = ?3, hits = hits + ?4 WHERE scope = ?1 AND key = ?2')
      .bind(scope, key, now.toISOString(), hits)
      .run();
  }

  // Purges: dooming a row makes it the purge's (edge/cache/purge.ts), which deletes its audio and
  // then the row. Dooming is what must be durable before a change answers; the deleting may lag.

  /** Dooms the entries rendered with one of the account's voices (the voice was deleted). */
  async doomVoice(accountId: string, voiceId: string, now = new Date()): Promise<number> {
    const result = await this.db
      .prepare('UPDATE audio_cache_entries SET doomed_at = ?3 WHERE account_id = ?1 AND voice_id = ?2 AND doomed_at IS NULL')
      .bind(accountId, voiceId, now.toISOString())
      .run();
    return result.meta.changes;
  }

  /**
   * Dooms the entries rendered with any version of one of the account's dictionaries (it changed,
   * or was deleted). `instr`, not LIKE: a `pd_…` id's underscore is a LIKE wildcard.
   */
  async doomDictionary(accountId: string, dictionaryId: string, now = new Date()): Promise<number> {
    const result = await this.db
      .prepare(`UPDATE audio_cache_entries SET doomed_at = ?3 WHERE account_id = ?1 AND instr(dictionaries, ',' || ?2 || '@') > 0 AND doomed_at IS NULL`)
      .bind(accountId, dictionaryId, now.toISOString())
      .run();
    return result.meta.changes;
  }

  /**
   * Dooms entries a change should have doomed but that were stored after it: a miss still
   * rendering when its voice was deleted, or its dictionary changed, is recorded once it ends.
   * Those are the entries of an account voice the voices table no longer has at that version, and
   * those naming a dictionary that is deleted or at another version now.
   */
  async doomOrphans(now = new Date()): Promise<number> {
    const at = now.toISOString();
    const [voices, dictionaries] = await this.db.batch([
      this.db
        .prepare(
          `UPDATE audio_cache_entries SET doomed_at = ?1 WHERE doomed_at IS NULL AND voice_version IS NOT NULL AND NOT EXISTS (
             SELECT 1 FROM voices v WHERE v.id = audio_cache_entries.voice_id AND v.account_id = audio_cache_entries.account_id AND v.version = audio_cache_entries.voice_version
           )`,
        )
        .bind(at),
      this.db
        .prepare(
          `UPDATE audio_cache_entries SET doomed_at = ?1 WHERE doomed_at IS NULL AND dictionaries <> '' AND EXISTS (
             SELECT 1 FROM pronunciation_dictionaries d
             WHERE d.account_id = audio_cache_entries.account_id
               AND instr(audio_cache_entries.dictionaries, ',' || d.id || '@') > 0
               AND (d.deleted_at IS NOT NULL OR instr(audio_cache_entries.dictionaries, ',' || d.id || '@' || d.latest_version || ',') = 0)
           )`,
        )
        .bind(at),
    ]);
    return voices!.meta.changes + dictionaries!.meta.changes;
  }

  /**
   * Dooms the entries of each served model rendered by another pack version than the one served
   * now. Only the models in `served` are touched: one no worker serves now may come back.
   */
  async doomStaleModels(served: ReadonlyMap<string, string>, now = new Date()): Promise<number> {
    if (served.size === 0) return 0;
    const at = now.toISOString();
    const statement = this.db.prepare('UPDATE audio_cache_entries SET doomed_at = ?3 WHERE model = ?1 AND model_version <> ?2 AND doomed_at IS NULL');
    const results = await this.db.batch([...served].map(([model, version]) => statement.bind(model, version, at)));
    return results.reduce((sum, result) => sum + result.meta.changes, 0);
  }

  /**
   * Dooms what is beyond the bounds: entries not heard for `maxAgeMs`, and each account's least
   * recently heard entries beyond `maxBytesPerAccount` (the most recently heard are kept while
   * they fit). Shared entries count towards no account's bytes (an operator's phrases, few).
   */
  async doomBeyondBounds(bounds: CacheBounds, now = new Date()): Promise<{ aged: number; overSize: number }> {
    const at = now.toISOString();
    const [aged, overSize] = await this.db.batch([
      this.db.prepare('UPDATE audio_cache_entries SET doomed_at = ?1 WHERE last_hit_at < ?2 AND doomed_at IS NULL').bind(at, new Date(now.getTime() - bounds.maxAgeMs).toISOString()),
      this.db
        .prepare(
          `UPDATE audio_cache_entries SET doomed_at = ?1 WHERE (scope, key) IN (
             SELECT scope, key FROM (
               SELECT scope, key, SUM(bytes) OVER (PARTITION BY account_id ORDER BY last_hit_at DESC, key ROWS UNBOUNDED PRECEDING) AS kept
               FROM audio_cache_entries WHERE doomed_at IS NULL AND scope <> 'shared'
             ) WHERE kept > ?2
           )`,
        )
        .bind(at, bounds.maxBytesPerAccount),
    ]);
    return { aged: aged!.meta.changes, overSize: overSize!.meta.changes };
  }

  /** Up to `limit` doomed entries, the longest doomed first. */
  async doomed(limit: number): Promise<CacheEntryPlace[]> {
    const { results } = await this.db
      .prepare('SELECT scope, key FROM audio_cache_entries WHERE doomed_at IS NOT NULL ORDER BY doomed_at LIMIT ?1')
      .bind(limit)
      .all<CacheEntryPlace>();
    return results;
  }

  /**
   * Deletes these entries' rows once their audio is gone. Only rows still doomed: one recorded
   * again meanwhile (record clears doomed_at) is a new rendering and stays.
   */
  async forget(entries: readonly CacheEntryPlace[]): Promise<number> {
    if (entries.length === 0) return 0;
    // One bound parameter however many rows (D1 allows 100 a statement).
    const result = await this.db
      .prepare(
        `DELETE FROM audio_cache_entries WHERE doomed_at IS NOT NULL AND (scope, key) IN (
           SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1)
         )`,
      )
      .bind(JSON.stringify(entries.map(({ scope, key }) => [scope, key])))
      .run();
    return result.meta.changes;
  }
}
