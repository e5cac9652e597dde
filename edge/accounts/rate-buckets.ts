import type { AccountRow } from './account-record.ts';
import { type BucketState, type BucketView, fullBucket, peek, take, type TakeResult } from './token-bucket.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_ms INTEGER NOT NULL);
`;

const MINUTE_MS = 60_000;

export type BucketName = 'requests' | 'characters';

const capacityOf = (name: BucketName, account: AccountRow): number =>
  name === 'requests' ? account.requests_per_minute : account.characters_per_minute;

/**
 * The account's two per-minute limits as stored token buckets: this keeps their state, and
 * token-bucket.ts does the arithmetic. Taking computes a new state without storing it, so that
 * an admission can take from both buckets and store them only if everything else passes.
 */
export class RateBuckets {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
  }

  /** The bucket as last stored; full when it never was. */
  state(name: BucketName, account: AccountRow, now: number): BucketState {
    const row = this.sql.exec<{ tokens: number; updated_ms: number }>('SELECT tokens, updated_ms FROM buckets WHERE name = ?', name).toArray()[0];
    return row ? { tokens: row.tokens, updatedMs: row.updated_ms } : fullBucket(capacityOf(name, account), now);
  }

  /** Takes `cost` tokens from the stored bucket, if it holds them; `save` the result's state to keep it. */
  take(name: BucketName, cost: number, account: AccountRow, now: number): TakeResult {
    return take(this.state(name, account, now), cost, capacityOf(name, account), MINUTE_MS, now);
  }

  /** A bucket's standing at `now`: the stored one's, or that of a state taken but not stored. */
  peek(name: BucketName, account: AccountRow, now: number, state: BucketState = this.state(name, account, now)): BucketView {
    return peek(state, capacityOf(name, account), MINUTE_MS, now);
  }

  save(name: BucketName, state: BucketState): void {
    this.sql.exec('INSERT OR REPLACE INTO buckets (name, tokens, updated_ms) VALUES (?, ?, ?)', name, state.tokens, state.updatedMs);
  }
}
