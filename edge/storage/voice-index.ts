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
   * Up to `limit` voices after `cursor`, oldest first, filtered by type, language and model (the
   * voices made with it, or all of them when `anyVoice`: the model clones from any voice's clip).
   */
  async list(
    accountId: string,
    filter: { type?: VoiceType; language?: string; model?: { id: string; anyVoice: boolean } },
    cursor: VoiceCursor | undefined,
    limit: number,
  ): Promise<VoiceRow[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM voices WHERE account_id = ?1
           AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR language = ?3)
           AND (?4 IS NULL OR (created_at, id) > (?4, ?5))
           AND (?6 IS NULL OR ?7 = 1 OR model = ?6)
         ORDER BY created_at, id LIMIT ?8`,
      )
      .bind(
        accountId,
        filter.type ?? null,
        filter.language ?? null,
        cursor?.created_at ?? null,
        cursor?.id ?? null,
        filter.model?.id ?? null,
        filter.model?.anyVoice ? 1 : 0,
        limit,
      )
      .all<VoiceRow>();
    return results;
  }
}
