import { addColumnIfMissing } from './add-column.ts';
import { type AccountConfig, type AccountLimits, type CreditChange, DEFAULT_LIMITS } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS account (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  account_id TEXT NOT NULL,
  balance INTEGER NOT NULL CHECK (balance >= 0),
  requests_per_minute INTEGER NOT NULL,
  characters_per_minute INTEGER NOT NULL,
  concurrent_streams INTEGER NOT NULL,
  max_voices INTEGER NOT NULL DEFAULT ${DEFAULT_LIMITS.max_voices},
  -- Whether the account's speech may be served from, and stored to, the audio cache (edge/cache/).
  audio_cache INTEGER NOT NULL DEFAULT 1
);
`;

// Row types are type aliases (not interfaces) so that they satisfy SqlStorage's row constraint.
export type AccountRow = {
  account_id: string;
  balance: number;
  requests_per_minute: number;
  characters_per_minute: number;
  concurrent_streams: number;
  max_voices: number;
  /** 1: the audio cache serves the account (default); 0: it turned the cache off. */
  audio_cache: number;
};

/**
 * The account's own row in its Durable Object: its id, its credit balance and its limits. The
 * balance is what is left for new requests; running streams' reservations are already out of it.
 */
export class AccountRecord {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
    // Objects created before voices existed: their account row gains the voice quota.
    addColumnIfMissing(this.sql, 'account', 'max_voices', `INTEGER NOT NULL DEFAULT ${DEFAULT_LIMITS.max_voices}`);
    // And before the audio cache: on, as for a new account.
    addColumnIfMissing(this.sql, 'account', 'audio_cache', 'INTEGER NOT NULL DEFAULT 1');
  }

  read(): AccountRow | undefined {
    return this.sql.exec<AccountRow & { singleton: number }>('SELECT * FROM account WHERE singleton = 1').toArray()[0];
  }

  /** Creates the row; a second call leaves an existing account as it is. */
  create(config: AccountConfig): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO account (singleton, account_id, balance, requests_per_minute, characters_per_minute, concurrent_streams, max_voices, audio_cache)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
      config.account_id,
      config.credits,
      config.limits.requests_per_minute,
      config.limits.characters_per_minute,
      config.limits.concurrent_streams,
      config.limits.max_voices,
      config.audio_cache === false ? 0 : 1,
    );
  }

  /** Turns the account's audio cache on or off; false when there is no account. */
  setAudioCache(on: boolean): boolean {
    return this.sql.exec('UPDATE account SET audio_cache = ? WHERE singleton = 1', on ? 1 : 0).rowsWritten > 0;
  }

  /** Moves the balance by `delta` credits; the table refuses a balance below zero, so callers check first. */
  addToBalance(delta: number): void {
    this.sql.exec('UPDATE account SET balance = balance + ? WHERE singleton = 1', delta);
  }

  /** Adds credits, or removes them with a negative amount; never takes the balance below zero. */
  addCredits(amount: number): CreditChange | null {
    const account = this.read();
    if (!account) return null;
    if (account.balance + amount < 0) return { ok: false, balance: account.balance };
    this.addToBalance(amount);
    return { ok: true, balance: account.balance + amount };
  }
}

export const limitsOf = (row: AccountLimits): AccountLimits => ({
  requests_per_minute: row.requests_per_minute,
  characters_per_minute: row.characters_per_minute,
  concurrent_streams: row.concurrent_streams,
  max_voices: row.max_voices,
});
