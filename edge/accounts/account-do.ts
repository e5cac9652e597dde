import { DurableObject } from 'cloudflare:workers';
import { type BucketState, fullBucket, peek, take } from './token-bucket.ts';
import {
  type AccountConfig,
  type AccountLimits,
  type AccountSnapshot,
  type Admission,
  type AdmitRequest,
  type CreditChange,
  DEFAULT_LIMITS,
  type KeyStatus,
  LEASE_TTL_MS,
  type ProgressReport,
  type SettleRequest,
  type Settlement,
  type RefusalReason,
  type StreamContext,
  type RegisterVoiceRequest,
  type VoiceEntry,
  type VoiceRegistration,
} from './types.ts';
import { SocketTickets } from './socket-tickets.ts';
import { VoiceRegistry } from './voice-registry.ts';
import type { Env } from '../env.ts';
import { D1UsageLedger, type UsageEntry } from '../storage/usage-ledger.ts';

const MINUTE_MS = 60_000;
/** Settled request ids are remembered this long, so a settlement or a reused id is recognised. */
const SETTLEMENT_RETENTION_MS = 7 * 24 * 3600_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS account (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  account_id TEXT NOT NULL,
  balance INTEGER NOT NULL CHECK (balance >= 0),
  requests_per_minute INTEGER NOT NULL,
  characters_per_minute INTEGER NOT NULL,
  concurrent_streams INTEGER NOT NULL,
  max_voices INTEGER NOT NULL DEFAULT ${DEFAULT_LIMITS.max_voices}
);
CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS keys (key_id TEXT PRIMARY KEY, expires_ms INTEGER, revoked_ms INTEGER);
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
  stream_id TEXT
);
-- Ledger rows of leases that ran out, waiting to be written to D1 (by the alarm).
CREATE TABLE IF NOT EXISTS ledger_outbox (request_id TEXT PRIMARY KEY, entry TEXT NOT NULL);
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

// Row types are type aliases (not interfaces) so that they satisfy SqlStorage's row constraint.
type AccountRow = {
  account_id: string;
  balance: number;
  requests_per_minute: number;
  characters_per_minute: number;
  concurrent_streams: number;
  max_voices: number;
};

type LeaseRow = {
  request_id: string;
  key_id: string;
  reserved: number;
  admitted_ms: number;
  expires_ms: number;
  delivered_audio_ms: number;
  charge_so_far: number;
  context: string | null;
};

type SettlementRow = {
  request_id: string;
  key_id: string;
  reserved: number;
  charged: number;
  status: Settlement['status'];
};

type BucketName = 'requests' | 'characters';

/**
 * The exact state of one account (one object per account id): its credit balance, its
 * rate-limit token buckets, the leases of its running streams and the status of its keys.
 *
 * Every method runs to completion without awaiting anything: a Durable Object handles one event
 * at a time, so a method that reads and writes its SQLite storage synchronously sees no other
 * request in between. That, not locking, is what keeps the counters exact under concurrency;
 * each state change also runs in a storage transaction so a failure leaves no half-update.
 */
export class AccountDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly voices: VoiceRegistry;
  private readonly tickets: SocketTickets;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    // Objects created before voices existed: their account row gains the voice quota.
    const columns = this.sql.exec<{ name: string }>('PRAGMA table_info(account)').toArray();
    if (!columns.some((column) => column.name === 'max_voices')) {
      this.sql.exec(`ALTER TABLE account ADD COLUMN max_voices INTEGER NOT NULL DEFAULT ${DEFAULT_LIMITS.max_voices}`);
    }
    // ...and before realtime sockets, their leases gain the slot they share.
    if (!this.sql.exec<{ name: string }>('PRAGMA table_info(leases)').toArray().some((column) => column.name === 'stream_id')) {
      this.sql.exec('ALTER TABLE leases ADD COLUMN stream_id TEXT');
    }
    this.voices = new VoiceRegistry(this.sql);
    this.tickets = new SocketTickets(this.sql);
  }

  // ---- account ----

  /** Creates the account's state; idempotent (a second call leaves an existing account as it is). */
  initialize(config: AccountConfig): AccountSnapshot {
    this.sql.exec(
      `INSERT OR IGNORE INTO account (singleton, account_id, balance, requests_per_minute, characters_per_minute, concurrent_streams, max_voices)
       VALUES (1, ?, ?, ?, ?, ?, ?)`,
      config.account_id,
      config.credits,
      config.limits.requests_per_minute,
      config.limits.characters_per_minute,
      config.limits.concurrent_streams,
      config.limits.max_voices,
    );
    return this.snapshot()!;
  }

  snapshot(): AccountSnapshot | null {
    const account = this.account();
    if (!account) return null;
    const now = Date.now();
    this.sweepLeases(now);
    const streams = this.sql
      .exec<{ request_id: string; key_id: string; reserved: number; delivered_audio_ms: number; charge_so_far: number }>(
        'SELECT request_id, key_id, reserved, delivered_audio_ms, charge_so_far FROM leases ORDER BY admitted_ms',
      )
      .toArray();
    return {
      account_id: account.account_id,
      balance: account.balance,
      reserved: streams.reduce((sum, lease) => sum + lease.reserved, 0),
      limits: limitsOf(account),
      voices: this.voices.count(),
      active_streams: this.activeStreams(),
      streams,
      requests: peek(this.bucket('requests', account, now), account.requests_per_minute, MINUTE_MS, now),
      characters: peek(this.bucket('characters', account, now), account.characters_per_minute, MINUTE_MS, now),
    };
  }

  /** Adds credits, or removes them with a negative amount; never takes the balance below zero. */
  addCredits(amount: number): CreditChange | null {
    const account = this.account();
    if (!account) return null;
    if (account.balance + amount < 0) return { ok: false, balance: account.balance };
    this.sql.exec('UPDATE account SET balance = balance + ? WHERE singleton = 1', amount);
    return { ok: true, balance: account.balance + amount };
  }

  // ---- keys: this object, not KV, is the truth about whether a key may be used ----

  registerKey(keyId: string, expiresMs: number | null): void {
    this.sql.exec('INSERT OR REPLACE INTO keys (key_id, expires_ms, revoked_ms) VALUES (?, ?, NULL)', keyId, expiresMs);
  }

  /** Revokes a key at once; returns false when the key was not registered here. */
  revokeKey(keyId: string): boolean {
    const cursor = this.sql.exec('UPDATE keys SET revoked_ms = coalesce(revoked_ms, ?) WHERE key_id = ?', Date.now(), keyId);
    return cursor.rowsWritten > 0;
  }

  keyStatus(keyId: string): KeyStatus {
    const row = this.sql.exec<{ expires_ms: number | null; revoked_ms: number | null }>('SELECT expires_ms, revoked_ms FROM keys WHERE key_id = ?', keyId).toArray()[0];
    if (!row) return 'unknown';
    if (row.revoked_ms !== null) return 'revoked';
    if (row.expires_ms !== null && row.expires_ms <= Date.now()) return 'expired';
    return 'active';
  }

  // ---- voices: existence, version and quota ----

  voice(voiceId: string): VoiceEntry | null {
    return this.voices.get(voiceId) ?? null;
  }

  /**
   * Registers a new voice if the quota and the balance allow, taking its creation charge in the
   * same step. A voice the account already has is answered as it is (content-addressed ids make
   * a second upload of the same clip the same voice), and charged nothing.
   */
  registerVoice(request: RegisterVoiceRequest): VoiceRegistration {
    const account = this.account();
    if (!account) return { ok: false, reason: 'account_not_found', limit: 0, count: 0, balance: 0 };
    const existing = this.voices.get(request.voice_id);
    if (existing) return { ok: true, created: false, version: existing.version, balance: account.balance };
    const count = this.voices.count();
    const charge = Math.max(0, Math.ceil(request.charge));
    const refused = (reason: 'voice_quota_exceeded' | 'insufficient_credits'): VoiceRegistration => ({
      ok: false,
      reason,
      limit: account.max_voices,
      count,
      balance: account.balance,
    });
    if (count >= account.max_voices) return refused('voice_quota_exceeded');
    if (charge > account.balance) return refused('insufficient_credits');
    const entry = this.ctx.storage.transactionSync(() => {
      this.sql.exec('UPDATE account SET balance = balance - ? WHERE singleton = 1', charge);
      return this.voices.add(request.voice_id, Date.now());
    });
    return { ok: true, created: true, version: entry.version, balance: account.balance - charge };
  }

  /** Whether the account has room for one more voice: checked before a worker does the work. */
  voiceRoom(): { ok: boolean; limit: number; count: number } {
    const account = this.account();
    const count = this.voices.count();
    return { ok: !!account && count < account.max_voices, limit: account?.max_voices ?? 0, count };
  }

  /** Forgets a voice at once: speech with it is refused from the next admission on. */
  deleteVoice(voiceId: string): boolean {
    return this.voices.delete(voiceId);
  }

  // ---- admission and settlement of speech requests ----

  /**
   * Decides whether a speech request may start: the key is active, the request id is new, the
   * credits cover its characters, and the request, character and stream limits all have room.
   * Only when everything passes is anything taken: a request token, its characters from the
   * character bucket, its characters from the balance (reserved) and a stream lease.
   */
  admit(request: AdmitRequest): Admission {
    const account = this.account();
    if (!account) return { ok: false, reason: 'account_not_found' };
    const keyRefused = this.keyRefusal(request.key_id);
    if (keyRefused) return { ok: false, reason: keyRefused };
    // Before anything is taken: a request for a voice the account does not have costs nothing.
    const voice = request.voice_id === undefined ? undefined : this.voices.get(request.voice_id);
    if (request.voice_id !== undefined && !voice) return { ok: false, reason: 'voice_not_found' };

    const now = Date.now();
    this.sweepLeases(now);
    const known = this.sql.exec('SELECT 1 FROM leases WHERE request_id = ? UNION ALL SELECT 1 FROM settlements WHERE request_id = ?', request.request_id, request.request_id);
    if (known.toArray().length > 0) return { ok: false, reason: 'request_id_reused' };

    const requestsTaken = take(this.bucket('requests', account, now), request.count_request === false ? 0 : 1, account.requests_per_minute, MINUTE_MS, now);
    const charactersTaken = take(this.bucket('characters', account, now), request.characters, account.characters_per_minute, MINUTE_MS, now);
    const active = this.activeStreams();
    // A piece of a stream that already holds its slot (a socket's next chunk) needs no other.
    const streamId = request.stream_id ?? request.request_id;
    const slotHeld = this.sql.exec('SELECT 1 FROM leases WHERE stream_id = ? LIMIT 1', streamId).toArray().length > 0;
    // A refused request takes nothing, so its standing is the buckets as they are.
    const refused = (reason: RefusalReason, retryAfterSeconds?: number): Admission => ({
      ok: false,
      reason,
      ...(retryAfterSeconds === undefined ? {} : { retry_after_seconds: retryAfterSeconds }),
      balance: account.balance,
      requests: peek(requestsTaken.state, account.requests_per_minute, MINUTE_MS, now),
      characters: peek(charactersTaken.state, account.characters_per_minute, MINUTE_MS, now),
      streams: { limit: account.concurrent_streams, active },
    });

    if (request.characters > account.balance) return refused('insufficient_credits');
    if (!charactersTaken.ok && charactersTaken.neverFits) return refused('input_exceeds_character_limit');
    if (!requestsTaken.ok) return refused('requests_per_minute', requestsTaken.retryAfterSeconds);
    if (!charactersTaken.ok) return refused('characters_per_minute', charactersTaken.retryAfterSeconds);
    // A slot frees when a stream ends, which cannot be foreseen: one second is a fair first wait
    // (and no stream holds its slot beyond its lease).
    if (!slotHeld && active >= account.concurrent_streams) return refused('concurrent_streams', 1);

    const leaseExpires = now + (request.lease_ttl_ms ?? LEASE_TTL_MS);
    this.ctx.storage.transactionSync(() => {
      this.saveBucket('requests', requestsTaken.state);
      this.saveBucket('characters', charactersTaken.state);
      this.sql.exec('UPDATE account SET balance = balance - ? WHERE singleton = 1', request.characters);
      this.sql.exec(
        'INSERT INTO leases (request_id, key_id, reserved, admitted_ms, expires_ms, stream_id) VALUES (?, ?, ?, ?, ?, ?)',
        request.request_id,
        request.key_id,
        request.characters,
        now,
        leaseExpires,
        streamId,
      );
    });
    this.scheduleAlarm();
    return {
      ok: true,
      reserved: request.characters,
      lease_expires_ms: leaseExpires,
      ...(voice ? { voice_version: voice.version } : {}),
      balance: account.balance - request.characters,
      requests: view(requestsTaken),
      characters: view(charactersTaken),
      streams: { limit: account.concurrent_streams, active: slotHeld ? active : active + 1 },
    };
  }

  /**
   * A realtime socket opening: its key must be active, and it takes one token of the
   * requests-per-minute limit (its chunks take characters, credits and a slot, but no request).
   */
  admitSocket(keyId: string): { ok: true } | Extract<Admission, { ok: false }> {
    const account = this.account();
    if (!account) return { ok: false, reason: 'account_not_found' };
    const keyRefused = this.keyRefusal(keyId);
    if (keyRefused) return { ok: false, reason: keyRefused };
    const now = Date.now();
    const taken = take(this.bucket('requests', account, now), 1, account.requests_per_minute, MINUTE_MS, now);
    if (!taken.ok) {
      const requests = peek(taken.state, account.requests_per_minute, MINUTE_MS, now);
      return { ok: false, reason: 'requests_per_minute', retry_after_seconds: taken.retryAfterSeconds, requests };
    }
    this.saveBucket('requests', taken.state);
    return { ok: true };
  }

  private keyRefusal(keyId: string): RefusalReason | null {
    const status = this.keyStatus(keyId);
    if (status === 'active') return null;
    return status === 'unknown' ? 'key_unknown' : status === 'revoked' ? 'key_revoked' : 'key_expired';
  }

  /** Stream slots in use: leases that share a stream id share its slot. */
  private activeStreams(): number {
    return this.sql.exec<{ n: number }>('SELECT count(DISTINCT coalesce(stream_id, request_id)) AS n FROM leases').one().n;
  }

  // ---- tickets: a browser's way onto a realtime socket without its key in the URL ----

  /** Stores a single-use ticket for a key (by the ticket's hash); it lasts `ttlMs`. */
  issueTicket(ticketHash: string, keyId: string, ttlMs: number): void {
    this.tickets.issue(ticketHash, keyId, Date.now(), ttlMs);
  }

  /** The key a ticket was issued for, once and while the key is active: the ticket is gone after this. */
  redeemTicket(ticketHash: string): string | null {
    const keyId = this.tickets.redeem(ticketHash, Date.now());
    return keyId !== null && this.keyStatus(keyId) === 'active' ? keyId : null;
  }

  /**
   * A running request's heartbeat: extends its lease and records what it has delivered so far,
   * which is what it is charged if the lease runs out before it settles. False when the lease is
   * gone (settled, or run out).
   */
  progress(report: ProgressReport): boolean {
    const now = Date.now();
    this.sweepLeases(now);
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
    this.scheduleAlarm();
    return updated.rowsWritten > 0;
  }

  /**
   * Ends a stream: frees its lease and turns its reservation into the charge (at most the
   * reservation), giving the rest back. Idempotent per request id: a second settlement changes
   * nothing and answers the first one. Null for a request id this account never admitted.
   */
  settle(request: SettleRequest): Settlement | null {
    const account = this.account();
    if (!account) return null;
    const previous = this.settlement(request.request_id);
    if (previous) return { ...previous, balance: account.balance, applied: false };
    const lease = this.sql.exec<LeaseRow>('SELECT * FROM leases WHERE request_id = ?', request.request_id).toArray()[0];
    if (!lease) return null;
    const charged = Math.min(lease.reserved, Math.max(0, Math.ceil(request.charge)));
    const settled = this.close(lease, charged, request.status, Date.now());
    this.scheduleAlarm();
    return { ...settled, balance: account.balance + lease.reserved - charged, applied: true };
  }

  /** Settles leases that ran out, writes their ledger rows, and sets the next alarm. */
  override async alarm(): Promise<void> {
    this.sweepLeases(Date.now());
    const ledger = new D1UsageLedger(this.env.DB);
    for (const row of this.sql.exec<{ request_id: string; entry: string }>('SELECT request_id, entry FROM ledger_outbox').toArray()) {
      await ledger.record(JSON.parse(row.entry) as UsageEntry);
      this.sql.exec('DELETE FROM ledger_outbox WHERE request_id = ?', row.request_id);
    }
    this.scheduleAlarm();
  }

  // ---- internals ----

  private account(): AccountRow | undefined {
    return this.sql.exec<AccountRow & { singleton: number }>('SELECT * FROM account WHERE singleton = 1').toArray()[0];
  }

  private bucket(name: BucketName, account: AccountRow, now: number): BucketState {
    const row = this.sql.exec<{ tokens: number; updated_ms: number }>('SELECT tokens, updated_ms FROM buckets WHERE name = ?', name).toArray()[0];
    const capacity = name === 'requests' ? account.requests_per_minute : account.characters_per_minute;
    return row ? { tokens: row.tokens, updatedMs: row.updated_ms } : fullBucket(capacity, now);
  }

  private saveBucket(name: BucketName, state: BucketState): void {
    this.sql.exec('INSERT OR REPLACE INTO buckets (name, tokens, updated_ms) VALUES (?, ?, ?)', name, state.tokens, state.updatedMs);
  }

  private settlement(requestId: string): SettlementRow | undefined {
    return this.sql
      .exec<SettlementRow>('SELECT request_id, key_id, reserved, charged, status FROM settlements WHERE request_id = ?', requestId)
      .toArray()[0];
  }

  private close(lease: LeaseRow, charged: number, status: Settlement['status'], now: number) {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM leases WHERE request_id = ?', lease.request_id);
      this.sql.exec('UPDATE account SET balance = balance + ? WHERE singleton = 1', lease.reserved - charged);
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

  /**
   * Frees the slots of streams that stopped reporting (their edge request is gone, so the final
   * byte count is unknown): each is charged what it last reported delivered, and its ledger row
   * queued for the alarm to write. Also forgets settlements past their retention.
   */
  private sweepLeases(now: number): void {
    const account = this.account();
    for (const lease of this.sql.exec<LeaseRow>('SELECT * FROM leases WHERE expires_ms <= ?', now).toArray()) {
      this.close(lease, lease.charge_so_far, 'lease_expired', now);
      const context = lease.context ? (JSON.parse(lease.context) as StreamContext) : { model: '', voice: '', time_to_first_audio_ms: null };
      const entry: UsageEntry = {
        account_id: account?.account_id ?? '',
        request_id: lease.request_id,
        key_id: lease.key_id,
        model: context.model,
        voice: context.voice,
        characters: lease.reserved,
        audio_ms: lease.delivered_audio_ms,
        credits_charged: lease.charge_so_far,
        status: 'lease_expired',
        time_to_first_audio_ms: context.time_to_first_audio_ms,
        created_at: new Date(lease.admitted_ms).toISOString(),
      };
      this.sql.exec('INSERT OR REPLACE INTO ledger_outbox (request_id, entry) VALUES (?, ?)', lease.request_id, JSON.stringify(entry));
    }
    this.sql.exec('DELETE FROM settlements WHERE settled_ms < ?', now - SETTLEMENT_RETENTION_MS);
  }

  /** The alarm fires when the next lease runs out, or at once while ledger rows wait to be written. */
  private scheduleAlarm(): void {
    const pending = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM ledger_outbox').one().n;
    const next = this.sql.exec<{ at: number | null }>('SELECT min(expires_ms) AS at FROM leases').one().at;
    const at = pending > 0 ? Date.now() : next;
    if (at === null) void this.ctx.storage.deleteAlarm();
    else void this.ctx.storage.setAlarm(at);
  }
}

const limitsOf = (row: AccountLimits): AccountLimits => ({
  requests_per_minute: row.requests_per_minute,
  characters_per_minute: row.characters_per_minute,
  concurrent_streams: row.concurrent_streams,
  max_voices: row.max_voices,
});

const view = ({ limit, remaining, resetSeconds }: { limit: number; remaining: number; resetSeconds: number }) => ({
  limit,
  remaining,
  resetSeconds,
});
