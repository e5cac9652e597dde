/**
 * The account's voices in D1: what `GET /v1/voices` lists and `GET /v1/voices/{id}` shows,
 * including who consented to a clone and the SHA-256 of the clip. Every query names the account:
 * one account's rows are never reachable with another's key.
 */
export const VOICE_TYPES = ['clone', 'design'] as const;
export type VoiceType = (typeof VOICE_TYPES)[number];

export interface VoiceRow {
  id: string;
  account_id: string;
  version: number;
  type: VoiceType;
  name: string;
  language: string | null;
  description: string | null;
  transcript: string | null;
  /** The model the voice was made with. */
  model: string;
  reference_format: string | null;
  reference_ms: number;
  speech_ms: number;
  clip_sha256: string | null;
  consent_key_id: string | null;
  consent_at: string | null;
  created_at: string;
}

/** Where a page of an account's voices starts: after this row, in creation order. */
export interface VoiceCursor {
  created_at: string;
  id: string;
}

export class D1VoiceIndex {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async insert(row: VoiceRow): Promise<void> {
    const columns = Object.keys(row) as (keyof VoiceRow)[];
    await this.db
      .prepare(`INSERT OR REPLACE INTO voices (${columns.join(', ')}) VALUES (${columns.map((_, i) => `?${i + 1}`).join(', ')})`)
      .bind(...columns.map((column) => row[column]))
      .run();
  }

  get(accountId: string, id: string): Promise<VoiceRow | null> {
    return this.db.prepare('SELECT * FROM voices WHERE account_id = ?1 AND id = ?2').bind(accountId, id).first<VoiceRow>();
  }

  async delete(accountId: string, id: string): Promise<void> {
    await this.db.prepare('DELETE FROM voices WHERE account_id = ?1 AND id = ?2').bind(accountId, id).run();
  }

  /**
   * Up to `limit` voices after `cursor`, oldest first, that pass `filter` (see VoiceFilter).
   */
  async list(accountId: string, filter: VoiceFilter, cursor: VoiceCursor | undefined, limit: number): Promise<VoiceRow[]> {
    const { where, values } = whereOf(accountId, filter);
    const { results } = await this.db
      .prepare(`SELECT * FROM voices WHERE ${where} AND (?8 IS NULL OR (created_at, id) > (?8, ?9)) ORDER BY created_at, id LIMIT ?10`)
      .bind(...values, cursor?.created_at ?? null, cursor?.id ?? null, limit)
      .all<VoiceRow>();
    return results;
  }

  /** How many voices pass `filter`. */
  async count(accountId: string, filter: VoiceFilter): Promise<number> {
    const { where, values } = whereOf(accountId, filter);
    const row = await this.db.prepare(`SELECT count(*) AS n FROM voices WHERE ${where}`).bind(...values).first<{ n: number }>();
    return row?.n ?? 0;
  }
}

/** Which of an account's voices a listing wants; every field narrows it. */
export interface VoiceFilter {
  type?: VoiceType;
  /** Any of these languages. */
  languages?: string[];
  /** The voices made with `id`, or all of them when `anyVoice`: the model clones from any voice's clip. */
  model?: { id: string; anyVoice: boolean };
  /** In the name or the description (ASCII letters match in either case, as SQLite's LIKE does). */
  search?: string;
  ids?: string[];
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/** The WHERE clause of a filter, its values bound as ?1 to ?7. */
function whereOf(accountId: string, filter: VoiceFilter): { where: string; values: unknown[] } {
  return {
    where: `account_id = ?1
      AND (?2 IS NULL OR type = ?2)
      AND (?3 IS NULL OR language IN (SELECT value FROM json_each(?3)))
      AND (?4 IS NULL OR ?5 = 1 OR model = ?4)
      AND (?6 IS NULL OR name LIKE ?6 ESCAPE '\\' OR description LIKE ?6 ESCAPE '\\')
      AND (?7 IS NULL OR id IN (SELECT value FROM json_each(?7)))`,
    values: [
      accountId,
      filter.type ?? null,
      filter.languages ? JSON.stringify(filter.languages) : null,
      filter.model?.id ?? null,
      filter.model?.anyVoice ? 1 : 0,
      filter.search ? likePattern(filter.search) : null,
      filter.ids ? JSON.stringify(filter.ids) : null,
    ],
  };
}
