import type { UsageEntry } from '../storage/usage-ledger.ts';
import type { AccountRecord } from './account-record.ts';
import type { ClientTokens } from './client-tokens.ts';
import type { JobHolds } from './job-holds.ts';
import { expiredLeaseEntry, settledStreamEntry } from './ledger-entries.ts';
import type { LedgerOutbox } from './ledger-outbox.ts';
import type { LeaseRow, Leases } from './leases.ts';
import type { SettleRequest, Settlement } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS settlements (
  request_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  reserved INTEGER NOT NULL,
  charged INTEGER NOT NULL,
  status TEXT NOT NULL,
  settled_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS settlements_by_time ON settlements (settled_ms);
`;

/** Settled request ids are remembered this long, so a settlement or a reused id is recognised. */
const SETTLEMENT_RETENTION_MS = 7 * 24 * 3600_000;

// Row types are type aliases (not interfaces) so that they satisfy SqlStorage's row constraint.
type SettlementRow = {
  request_id: string;
  key_id: string;
  reserved: number;
  charged: number;
  status: Settlement['status'];
};

/**
 * How the account's streams end: a settlement frees a lease and turns its reservation into the
 * charge, giving the rest back, and is remembered so that a second one changes nothing. Leases
 * that ran out are settled here too, at their last report. Every settled stream's ledger row is
 * queued in the outbox in the settlement's own transaction, so no settled request can lack its
 * row (the alarm writes it to D1, whatever becomes of the edge request that settled it).
 */
export class SettlementBook {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;
  private readonly account: AccountRecord;
  private readonly leases: Leases;
  private readonly outbox: LedgerOutbox;
  private readonly tokens: ClientTokens;
  private readonly holds: JobHolds;

  constructor(storage: DurableObjectStorage, parts: { account: AccountRecord; leases: Leases; outbox: LedgerOutbox; tokens: ClientTokens; holds: JobHolds }) {
    this.storage = storage;
    this.sql = storage.sql;
    this.account = parts.account;
    this.leases = parts.leases;
    this.outbox = parts.outbox;
    this.tokens = parts.tokens;
    this.holds = parts.holds;
    this.sql.exec(SCHEMA);
  }

  /** Whether a request id was settled within the retention. */
  has(requestId: string): boolean {
    return this.find(requestId) !== undefined;
  }

  /**
   * Ends a stream at the edge's charge, capped at its reservation. Idempotent per request id: a
   * second settlement changes nothing and answers the first one. Null for a request id this
   * account never admitted.
   */
  settle(request: SettleRequest, now: number): Settlement | null {
    const account = this.account.read();
    if (!account) return null;
    const previous = this.find(request.request_id);
    if (previous) return { ...previous, balance: account.balance, applied: false };
    const lease = this.leases.get(request.request_id);
    if (!lease) return null;
    const charged = Math.min(lease.reserved, Math.max(0, Math.ceil(request.charge)));
    const { stream } = request;
    const entry = stream && settledStreamEntry(account.account_id, lease, { charged, status: request.status }, stream);
    const settled = this.close(lease, charged, request.status, now, entry);
    const returned = lease.job_id !== null && this.holds.get(lease.job_id) ? 0 : lease.reserved - charged;
    return { ...settled, balance: account.balance + returned, applied: true };
  }

  /**
   * Frees the slots of streams that stopped reporting (their edge request is gone, so the final
   * byte count is unknown): each is charged what it last reported delivered, and its ledger row
   * queued for the alarm to write. Also forgets settlements past their retention.
   */
  sweep(now: number): void {
    const account = this.account.read();
    for (const lease of this.leases.expired(now)) {
      this.close(lease, lease.charge_so_far, 'lease_expired', now, expiredLeaseEntry(account?.account_id ?? '', lease));
    }
    this.sql.exec('DELETE FROM settlements WHERE settled_ms < ?', now - SETTLEMENT_RETENTION_MS);
  }

  private find(requestId: string): SettlementRow | undefined {
    return this.sql
      .exec<SettlementRow>('SELECT request_id, key_id, reserved, charged, status FROM settlements WHERE request_id = ?', requestId)
      .toArray()[0];
  }

  /** Settles a lease and queues its ledger row (when it has one) in one transaction. */
  private close(lease: LeaseRow, charged: number, status: Settlement['status'], now: number, entry: UsageEntry | undefined) {
    this.storage.transactionSync(() => {
      if (entry) this.outbox.queue(entry);
      this.leases.remove(lease.request_id);
      // A job's chunk gives back to its job's hold while the job runs (another attempt draws on it).
      const toHold = lease.job_id !== null && this.holds.adjust(lease.job_id, lease.reserved - charged);
      if (!toHold) this.account.addToBalance(lease.reserved - charged);
      if (lease.token_id !== null) {
        this.tokens.settle(lease.token_id, {
          reserved: lease.reserved,
          charged,
          countedRequest: lease.counted_request === 1,
          failedUnheard: status === 'failed' && charged === 0,
        });
      }
      this.sql.exec(
        'INSERT INTO settlements (request_id, key_id, reserved, charged, status, settled_ms) VALUES (?, ?, ?, ?, ?, ?)',
        lease.request_id,
        lease.key_id,
        lease.reserved,
        charged,
        status,
        now,
      );
    });
    return { request_id: lease.request_id, key_id: lease.key_id, reserved: lease.reserved, charged, status };
  }
}
