import type { UsageEntry } from '../storage/usage-ledger.ts';

const SCHEMA = `
-- Ledger rows of leases that ran out, waiting to be written to D1 (by the alarm).
CREATE TABLE IF NOT EXISTS ledger_outbox (request_id TEXT PRIMARY KEY, entry TEXT NOT NULL);
`;

/**
 * Ledger rows that the account's object wrote itself (for leases that ran out, which no edge
 * request is left to record), kept in its own storage until they are in D1: the object settles
 * synchronously, and writing to D1 has to wait for its alarm.
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

  /** Writes the queued rows one by one, each leaving the outbox once the ledger has it. */
  async flush(ledger: { record(entry: UsageEntry): Promise<void> }): Promise<void> {
    for (const row of this.sql.exec<{ request_id: string; entry: string }>('SELECT request_id, entry FROM ledger_outbox').toArray()) {
      await ledger.record(JSON.parse(row.entry) as UsageEntry);
      this.sql.exec('DELETE FROM ledger_outbox WHERE request_id = ?', row.request_id);
    }
  }
}
