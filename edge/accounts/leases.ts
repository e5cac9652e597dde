import { addColumnIfMissing } from './add-column.ts';
import { type AccountSnapshot, LEASE_TTL_MS, type ProgressReport, type StreamContext } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (
  request_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  reserved INTEGER NOT NULL,
  admitted_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  delivered_audio_ms INTEGER NOT NULL DEFAULT 0,
  charge_so_far INTEGER NOT NULL DEFAULT 0,
  context TEXT,
  -- The stream slot the lease holds: its own request id, or a realtime socket's, shared by its chunks.
  stream_id TEXT,
  -- The client token the request came with (its reservation returns to it), and whether the request took one of its requests.
  token_id TEXT,
  counted_request INTEGER NOT NULL DEFAULT 1,
  -- The long-form job whose chunk this is: its reservation came from, and returns to, the job's hold.
  job_id TEXT
);
`;

// Row types are type aliases (not interfaces) so that they satisfy SqlStorage's row constraint.
export type LeaseRow = {
  request_id: string;
  key_id: string;
  reserved: number;
  admitted_ms: number;
  expires_ms: number;
  delivered_audio_ms: number;
  charge_so_far: number;
  context: string | null;
  token_id: string | null;
  counted_request: number;
  job_id: string | null;
};

export interface NewLease {
  requestId: string;
  keyId: string;
  reserved: number;
  admittedMs: number;
  expiresMs: number;
  streamId: string;
  /** The client token the request came with. */
  tokenId?: string | undefined;
  /** Whether the request counted as one (a socket's chunk does not). */
  countedRequest: boolean;
  context?: StreamContext | undefined;
  /** The long-form job whose hold the reservation came from. */
  jobId?: string | undefined;
}

/**
 * The leases of the account's running streams: each holds its reserved credits and a stream slot
 * until it settles or runs out, and records what its stream has delivered so far. Leases that
 * share a stream id (a realtime socket's chunks) share one slot.
 */
export class Leases {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
    // Objects created before realtime sockets: their leases gain the slot they share.
    addColumnIfMissing(this.sql, 'leases', 'stream_id', 'TEXT');
    // And before client tokens.
    addColumnIfMissing(this.sql, 'leases', 'token_id', 'TEXT');
    addColumnIfMissing(this.sql, 'leases', 'counted_request', 'INTEGER NOT NULL DEFAULT 1');
    // And before long-form jobs.
    addColumnIfMissing(this.sql, 'leases', 'job_id', 'TEXT');
  }

  get(requestId: string): LeaseRow | undefined {
    return this.sql.exec<LeaseRow>('SELECT * FROM leases WHERE request_id = ?', requestId).toArray()[0];
  }

  add(lease: NewLease): void {
    this.sql.exec(
      'INSERT INTO leases (request_id, key_id, reserved, admitted_ms, expires_ms, stream_id, token_id, counted_request, context, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      lease.requestId,
      lease.keyId,
      lease.reserved,
      lease.admittedMs,
      lease.expiresMs,
      lease.streamId,
      lease.tokenId ?? null,
      lease.countedRequest ? 1 : 0,
      lease.context ? JSON.stringify(lease.context) : null,
      lease.jobId ?? null,
    );
  }

  remove(requestId: string): void {
    this.sql.exec('DELETE FROM leases WHERE request_id = ?', requestId);
  }

  /** Leases whose stream stopped reporting before `now`. */
  expired(now: number): LeaseRow[] {
    return this.sql.exec<LeaseRow>('SELECT * FROM leases WHERE expires_ms <= ?', now).toArray();
  }

  /** When the next lease runs out; null when none is held. */
  nextExpiry(): number | null {
    return this.sql.exec<{ at: number | null }>('SELECT min(expires_ms) AS at FROM leases').one().at;
  }

  /** Whether a lease already holds this stream's slot (a socket's earlier chunk). */
  holdsSlot(streamId: string): boolean {
    return this.sql.exec('SELECT 1 FROM leases WHERE stream_id = ? LIMIT 1', streamId).toArray().length > 0;
  }

  /** Stream slots in use: leases that share a stream id share its slot. */
  activeStreams(): number {
    return this.sql.exec<{ n: number }>('SELECT count(DISTINCT coalesce(stream_id, request_id)) AS n FROM leases').one().n;
  }

  /** The running streams, oldest first, with what each has delivered so far. */
  streams(): AccountSnapshot['streams'] {
    return this.sql
      .exec<{ request_id: string; key_id: string; reserved: number; delivered_audio_ms: number; charge_so_far: number }>(
        'SELECT request_id, key_id, reserved, delivered_audio_ms, charge_so_far FROM leases ORDER BY admitted_ms',
      )
      .toArray();
  }

  /**
   * A running stream's heartbeat: extends its lease and records what it has delivered so far,
   * which is what it is charged if the lease runs out before it settles. False when no lease
   * holds the request.
   */
  renew(report: ProgressReport, now: number): boolean {
    const updated = this.sql.exec(
      `UPDATE leases SET expires_ms = ?, delivered_audio_ms = max(delivered_audio_ms, ?),
         charge_so_far = min(reserved, max(charge_so_far, ?)), context = coalesce(?, context)
       WHERE request_id = ?`,
      now + (report.lease_ttl_ms ?? LEASE_TTL_MS),
      Math.max(0, Math.floor(report.audio_ms)),
      Math.max(0, Math.ceil(report.charge)),
      report.context ? JSON.stringify(report.context) : null,
      report.request_id,
    );
    return updated.rowsWritten > 0;
  }
}
