import { z } from 'zod';
import type { StreamStatus } from '../accounts/types.ts';
import type { CacheStatus } from '../cache/cache-status.ts';

/** What a ledger row paid for. */
/** `job_chunk`: one chunk of a long-form job (edge/jobs/), its request id `<job id>.<chunk>.<attempt>`. */
export type UsageKind = 'speech' | 'job_chunk' | 'voice_clone' | 'voice_design';

/** One row per admitted speech request (written when its stream settles) and per voice created. */
export interface UsageEntry {
  /** Speech when absent. */
  kind?: UsageKind;
  account_id: string;
  request_id: string;
  key_id: string;
  /** The client token the request came with; null (or absent) when it came with the key itself. */
  token_id?: string | null;
  model: string;
  voice: string;
  characters: number;
  audio_ms: number;
  credits_charged: number;
  status: StreamStatus | 'lease_expired';
  time_to_first_audio_ms: number | null;
  created_at: string;
  /** What the audio cache did for a speech request (hit, miss, off); null (or absent) for rows it did not see: voices, job chunks. */
  cache?: CacheStatus | null;
}

/** What rows add up to (the API shows these, so the schema). */
export const UsageTotalsSchema = z.object({
  requests: z.number().int(),
  characters: z.number().int(),
  audio_ms: z.number(),
  credits_charged: z.number(),
});
export type UsageTotals = z.infer<typeof UsageTotalsSchema>;

export type UsageGroup = 'day' | 'key' | 'token' | 'model' | 'kind' | 'cache';

/** The group of rows the audio cache did not see (voices created, job chunks, rows from before the cache). */
export const NO_CACHE_GROUP = 'none';

const GROUP_COLUMN: Record<UsageGroup, string> = {
  day: 'substr(created_at, 1, 10)',
  key: 'key_id',
  token: 'token_id',
  model: 'model',
  kind: 'kind',
  cache: `coalesce(cache, '${NO_CACHE_GROUP}')`,
};

const TOTALS = `count(*) AS requests, coalesce(sum(characters), 0) AS characters,
  coalesce(sum(audio_ms), 0) AS audio_ms, coalesce(sum(credits_charged), 0) AS credits_charged`;

/** The usage ledger in D1: the record of what every request used and was charged. */
export class D1UsageLedger {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  /** Records a request; a second record of the same request is ignored (settlement is idempotent). */
  async record(entry: UsageEntry): Promise<void> {
    await this.insert(entry).run();
  }

  /**
   * Records requests in one D1 batch (one round trip, one transaction: all or none). Rows already
   * there are ignored, so writing a batch again, in whole or in part, changes nothing.
   */
  async recordAll(entries: UsageEntry[]): Promise<void> {
    if (entries.length > 0) await this.db.batch(entries.map((entry) => this.insert(entry)));
  }

  private insert(entry: UsageEntry): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO usage_ledger (account_id, request_id, key_id, model, voice, characters, audio_ms, credits_charged, status,
           time_to_first_audio_ms, created_at, kind, token_id, cache)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (account_id, request_id) DO NOTHING`,
      )
      .bind(
        entry.account_id,
        entry.request_id,
        entry.key_id,
        entry.model,
        entry.voice,
        entry.characters,
        entry.audio_ms,
        entry.credits_charged,
        entry.status,
        entry.time_to_first_audio_ms,
        entry.created_at,
        entry.kind ?? 'speech',
        entry.token_id ?? null,
        entry.cache ?? null,
      );
  }

  /** All-time totals of an account. */
  async totals(accountId: string): Promise<UsageTotals> {
    return (await this.db.prepare(`SELECT ${TOTALS} FROM usage_ledger WHERE account_id = ?1`).bind(accountId).first<UsageTotals>())!;
  }

  /** Totals of an account between two instants (`from` inclusive, `to` exclusive), grouped. */
  async grouped(accountId: string, from: string, to: string, group: UsageGroup): Promise<Array<UsageTotals & { group: string }>> {
    const column = GROUP_COLUMN[group];
    const { results } = await this.db
      .prepare(
        `SELECT ${column} AS "group", ${TOTALS} FROM usage_ledger
         WHERE account_id = ?1 AND created_at >= ?2 AND created_at < ?3
         GROUP BY ${column} ORDER BY ${column}`,
      )
      .bind(accountId, from, to)
      .all<UsageTotals & { group: string }>();
    return results;
  }

  async entries(accountId: string): Promise<UsageEntry[]> {
    const { results } = await this.db.prepare('SELECT * FROM usage_ledger WHERE account_id = ?1 ORDER BY created_at').bind(accountId).all<UsageEntry>();
    return results;
  }
}
