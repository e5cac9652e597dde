import type { VoiceEntry } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS voices (voice_id TEXT PRIMARY KEY, version INTEGER NOT NULL, created_ms INTEGER NOT NULL);
`;

/**
 * The account's own voices as its Durable Object knows them: which exist, at which version, and
 * how many. This, not KV (eventually consistent, cached per isolate), decides whether a voice may
 * be used, so a deleted voice is refused from the next request on, everywhere; and the quota is
 * exact however many uploads race.
 */
export class VoiceRegistry {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
  }

  get(voiceId: string): VoiceEntry | undefined {
    return this.sql.exec<{ voice_id: string; version: number }>('SELECT voice_id, version FROM voices WHERE voice_id = ?', voiceId).toArray()[0];
  }

  count(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM voices').one().n;
  }

  /**
   * Adds a voice at a new version. The version only has to differ from any earlier life of the
   * same id (deleted, then uploaded again), so caches keyed by id@version never serve the old one.
   */
  add(voiceId: string, now: number): VoiceEntry {
    const previous = this.sql.exec<{ v: number | null }>('SELECT max(version) AS v FROM voices').one().v ?? 0;
    const version = Math.max(now, previous + 1);
    this.sql.exec('INSERT INTO voices (voice_id, version, created_ms) VALUES (?, ?, ?)', voiceId, version, now);
    return { voice_id: voiceId, version };
  }

  delete(voiceId: string): boolean {
    return this.sql.exec('DELETE FROM voices WHERE voice_id = ?', voiceId).rowsWritten > 0;
  }
}
