import type { UsageEntry } from '../storage/usage-ledger.ts';
import { LEDGER_BATCH_ROWS } from './types.ts';

const SCHEMA = `
-- Ledger rows of settled streams, waiting to be written to D1 (by the alarm, or a flush before a read).
CREATE TABLE IF NOT EXISTS ledger_outbox (request_id TEXT PRIMARY KEY, entry TEXT NOT NULL);
`;

/** Where the rows go: D1UsageLedger, whose insert ignores a row it already has. */
export interface LedgerSink {
  recordAll(entries: UsageEntry[]): Promise<void>;
}

/**
 * Ledger rows that the account's object wrote when it settled a stream, kept in its own storage
 * until they are in D1: the object settles synchronously, in one storage transaction with the
 * row, and writing to D1 has to wait for its alarm.
 */
export class LedgerOutbox {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
  }

  /** Queues a request's row; a second one for the same request replaces the first. */
  queue(entry: UsageEntry): void {
    this.sql.exec('INSERT OR REPLACE INTO ledger_outbox (request_id, entry) VALUES (?, ?)', entry.request_id, JSON.stringify(entry));
  }

  pending(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM ledger_outbox').one().n;
  }

  /**
   * Writes the queued rows, LEDGER_BATCH_ROWS at a time, each batch leaving the outbox once D1 has
   * it. A batch that fails throws and stays queued, with the ones after it, for the next flush.
   * Rows queued during the flush are written too (they come after, in rowid order).
   */
  async flush(ledger: LedgerSink): Promise<number> {
    let written = 0;
    for (let after = 0; ; ) {
      const rows = this.sql
        .exec<{ rowid: number; entry: string }>('SELECT rowid, entry FROM ledger_outbox WHERE rowid > ? ORDER BY rowid LIMIT ?', after, LEDGER_BATCH_ROWS)
        .toArray();
      if (rows.length === 0) return written;
      await ledger.recordAll(rows.map((row) => JSON.parse(row.entry) as UsageEntry));
      // Only the rows as written: one replaced while its batch was in flight stays, to be written again.
      for (const row of rows) this.sql.exec('DELETE FROM ledger_outbox WHERE rowid = ? AND entry = ?', row.rowid, row.entry);
      after = rows.at(-1)!.rowid;
      written += rows.length;
    }
  }
}
