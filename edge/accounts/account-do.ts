import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { D1UsageLedger } from '../storage/usage-ledger.ts';
import { AccountRecord, limitsOf } from './account-record.ts';
import { StreamAdmission } from './admission.ts';
import type { AuthorizedToken, ClientTokenSpec, ClientTokenState, TokenRefusalReason, TokenUse } from './client-token-types.ts';
import { ClientTokens } from './client-tokens.ts';
import { JobHolds } from './job-holds.ts';
import { KeyStatuses } from './key-status.ts';
import { LedgerOutbox } from './ledger-outbox.ts';
import { Leases } from './leases.ts';
import { RateBuckets } from './rate-buckets.ts';
import { SettlementBook } from './settlement-book.ts';
import { SocketTickets, type TicketHolder } from './socket-tickets.ts';
import type {
  AccountConfig,
  AccountSnapshot,
  Admission,
  AdmitRequest,
  Charged,
  CreditChange,
  Credential,
  JobHold,
  JobHoldRequest,
  KeyStatus,
  ProgressReport,
  RegisterVoiceRequest,
  SettleRequest,
  Settlement,
  VoiceEntry,
  VoiceRegistration,
} from './types.ts';
import { VoiceQuota } from './voice-quota.ts';
import { VoiceRegistry } from './voice-registry.ts';

/** How long the alarm waits before writing the ledger rows again after a failed flush. */
const LEDGER_RETRY_MS = 10_000;
/**
 * How long a queued ledger row waits for others to share its D1 batch. Nobody waits on it: the
 * row is safe in the object's storage, and reads of the ledger have the object flush first.
 */
const LEDGER_GATHER_MS = 1_000;

/**
 * The exact state of one account (one object per account id): its credit balance, its
 * rate-limit token buckets, the leases of its running streams, the status of its keys and its
 * client tokens. Each
 * part keeps its own tables (see the classes it is made of); this class is the RPC surface and
 * keeps the alarm.
 *
 * Every method runs to completion without awaiting anything: a Durable Object handles one event
 * at a time, so a method that reads and writes its SQLite storage synchronously sees no other
 * request in between. That, not locking, is what keeps the counters exact under concurrency;
 * each state change also runs in a storage transaction so a failure leaves no half-update. (The
 * alarm and flushLedger await D1, but only to write ledger rows already queued, and change no counter.)
 */
export class AccountDO extends DurableObject<Env> {
  private readonly account: AccountRecord;
  private readonly keys: KeyStatuses;
  private readonly tokens: ClientTokens;
  private readonly buckets: RateBuckets;
  private readonly leases: Leases;
  private readonly outbox: LedgerOutbox;
  private readonly settlements: SettlementBook;
  private readonly admission: StreamAdmission;
  private readonly voices: VoiceRegistry;
  private readonly voiceQuota: VoiceQuota;
  private readonly tickets: SocketTickets;
  private readonly holds: JobHolds;
  /** The outbox's flushes, one after another (see flushLedger). */
  private flushing: Promise<unknown> = Promise.resolve();
  /** After a flush failed: no alarm for the outbox before this instant (D1 is given time to come back). */
  private flushRetryAt = 0;
  /** When the alarm this instance set will fire; null once it fired (or before any was set here). */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { storage } = ctx;
    this.account = new AccountRecord(storage.sql);
    this.keys = new KeyStatuses(storage.sql);
    this.tokens = new ClientTokens(storage.sql, this.keys);
    this.buckets = new RateBuckets(storage.sql);
    this.leases = new Leases(storage.sql);
    this.outbox = new LedgerOutbox(storage.sql);
    this.holds = new JobHolds(storage.sql);
    this.settlements = new SettlementBook(storage, { account: this.account, leases: this.leases, outbox: this.outbox, tokens: this.tokens, holds: this.holds });
    this.voices = new VoiceRegistry(storage.sql);
    this.voiceQuota = new VoiceQuota(storage, { account: this.account, voices: this.voices });
    this.tickets = new SocketTickets(storage.sql);
    this.admission = new StreamAdmission(storage, {
      account: this.account,
      keys: this.keys,
      tokens: this.tokens,
      voices: this.voices,
      buckets: this.buckets,
      leases: this.leases,
      settlements: this.settlements,
      holds: this.holds,
    });
  }

  // ---- account ----

  /** Creates the account's state; idempotent (a second call leaves an existing account as it is). */
  initialize(config: AccountConfig): AccountSnapshot {
    this.account.create(config);
    return this.snapshot()!;
  }

  snapshot(): AccountSnapshot | null {
    const account = this.account.read();
    if (!account) return null;
    const now = Date.now();
    this.settlements.sweep(now);
    const streams = this.leases.streams();
    return {
      account_id: account.account_id,
      balance: account.balance,
      reserved: streams.reduce((sum, lease) => sum + lease.reserved, 0) + this.holds.total(),
      limits: limitsOf(account),
      audio_cache: account.audio_cache !== 0,
      voices: this.voices.count(),
      active_streams: this.leases.activeStreams(),
      streams,
      requests: this.buckets.peek('requests', account, now),
      characters: this.buckets.peek('characters', account, now),
    };
  }

  /** Adds credits, or removes them with a negative amount; never takes the balance below zero. */
  addCredits(amount: number): CreditChange | null {
    return this.account.addCredits(amount);
  }

  /** Turns the account's audio cache on or off, from its next admission on; false when the account has no state here. */
  setAudioCache(on: boolean): boolean {
    return this.account.setAudioCache(on);
  }

  // ---- keys: this object, not KV, is the truth about whether a key may be used ----

  registerKey(keyId: string, expiresMs: number | null): void {
    this.keys.register(keyId, expiresMs);
  }

  /** Revokes a key at once; returns false when the key was not registered here. */
  revokeKey(keyId: string): boolean {
    return this.keys.revoke(keyId, Date.now());
  }

  keyStatus(keyId: string): KeyStatus {
    return this.keys.status(keyId, Date.now());
  }

  // ---- client tokens: minted by a key, checked and capped in admission (ClientTokens) ----

  /** Stores a new token (by its hash) for the key in the spec, which must be active. */
  mintToken(spec: ClientTokenSpec): { ok: true; token: ClientTokenState } | { ok: false; reason: 'key_inactive' } {
    const now = Date.now();
    if (this.keys.refusal(spec.key_id, now)) return { ok: false, reason: 'key_inactive' };
    return { ok: true, token: this.tokens.mint(spec, now) };
  }

  tokenState(tokenId: string): ClientTokenState | null {
    return this.tokens.state(tokenId, Date.now());
  }

  /** Revokes a token from its next request on. */
  revokeToken(tokenId: string): ClientTokenState | null {
    return this.tokens.revoke(tokenId, Date.now());
  }

  /** Whether a token may be used for `use` (a route that takes nothing from it: listing voices or models, a socket's configuration). */
  authorizeToken(use: TokenUse): { ok: true; token: AuthorizedToken } | { ok: false; reason: TokenRefusalReason } {
    return this.tokens.authorize(use, Date.now());
  }

  // ---- voices: existence, version and quota ----

  voice(voiceId: string): VoiceEntry | null {
    return this.voices.get(voiceId) ?? null;
  }

  /** Registers a new voice, taking its creation charge, if the quota and balance allow (VoiceQuota). */
  registerVoice(request: RegisterVoiceRequest): VoiceRegistration {
    return this.voiceQuota.register(request, Date.now());
  }

  /** Whether the account has room for one more voice: checked before a worker does the work. */
  voiceRoom(): { ok: boolean; limit: number; count: number } {
    return this.voiceQuota.room();
  }

  /** Forgets a voice at once: speech with it is refused from the next admission on. */
  deleteVoice(voiceId: string): boolean {
    return this.voices.delete(voiceId);
  }

  // ---- admission, leases and settlement of speech requests ----

  /** Whether a speech request may start; when it may, its tokens, credits and stream slot are taken (StreamAdmission). */
  admit(request: AdmitRequest): Admission {
    const admission = this.admission.admit(request);
    if (admission.ok) this.scheduleAlarm();
    return admission;
  }

  // ---- long-form jobs: their credits held up front, drawn on by their chunks ----

  /** Holds a job's credits and takes its request (StreamAdmission.holdJob). */
  holdJob(request: JobHoldRequest): JobHold {
    return this.admission.holdJob(request);
  }

  /** Credits the job's hold still keeps. */
  jobHold(jobId: string): number | null {
    return this.holds.get(jobId)?.reserved ?? null;
  }

  /**
   * The job ended (completed, failed, cancelled): what its hold keeps goes back to the balance.
   * Chunks still running settle to the balance from then on. Idempotent: 0 once released.
   */
  releaseJob(jobId: string): number {
    const hold = this.holds.get(jobId);
    if (!hold) return 0;
    this.ctx.storage.transactionSync(() => {
      this.account.addToBalance(hold.reserved);
      this.holds.remove(jobId);
    });
    return hold.reserved;
  }

  /** A realtime socket opening: an active key (or a token that may open one) and one token of the requests-per-minute limit. */
  admitSocket(credential: Credential): ({ ok: true } & Charged) | Extract<Admission, { ok: false }> {
    return this.admission.admitSocket(credential);
  }

  // ---- tickets: a browser's way onto a realtime socket without its key in the URL ----

  /** Stores a single-use ticket for a key (by the ticket's hash); it lasts `ttlMs`. */
  issueTicket(ticketHash: string, holder: TicketHolder, ttlMs: number): void {
    this.tickets.issue(ticketHash, holder, Date.now(), ttlMs);
  }

  /** The key a ticket was issued for, once and while the key is active: the ticket is gone after this. */
  redeemTicket(ticketHash: string): TicketHolder | null {
    const holder = this.tickets.redeem(ticketHash, Date.now());
    return holder !== null && this.keyStatus(holder.keyId) === 'active' ? holder : null;
  }

  /**
   * A running request's heartbeat: extends its lease and records what it has delivered so far,
   * which is what it is charged if the lease runs out before it settles. False when the lease is
   * gone (settled, or run out).
   */
  progress(report: ProgressReport): boolean {
    const now = Date.now();
    this.settlements.sweep(now);
    const renewed = this.leases.renew(report, now);
    this.scheduleAlarm();
    return renewed;
  }

  /**
   * Ends a stream: frees its lease and turns its reservation into the charge (at most the
   * reservation), giving the rest back, and queues its ledger row (when the request carries its
   * stream) in the same transaction; the alarm writes it to D1, with the rows queued in the
   * LEDGER_GATHER_MS after it. Idempotent per request id: a second settlement changes nothing and
   * answers the first one. Null for a request id this account never admitted.
   */
  settle(request: SettleRequest): Settlement | null {
    const settled = this.settlements.settle(request, Date.now());
    if (settled?.applied) this.scheduleAlarm();
    return settled;
  }

  /**
   * Writes the queued ledger rows to D1 now; resolves once D1 has every row queued before the
   * call. Routes that read an account's ledger call it first, so a stream that just ended is in
   * what they read.
   */
  async flushLedger(): Promise<void> {
    // Leases that ran out and wait for the alarm are settled first: their rows are part of the read.
    this.settlements.sweep(Date.now());
    await this.flushOutbox();
    this.scheduleAlarm();
  }

  /** Settles leases that ran out, writes the ledger rows, and sets the next alarm. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.settlements.sweep(Date.now());
    try {
      await this.flushOutbox();
    } catch (error) {
      // The rows stay queued; the next alarm tries again (not at once: D1 is failing).
      this.flushRetryAt = Date.now() + LEDGER_RETRY_MS;
      console.error(JSON.stringify({ level: 'error', message: 'ledger flush failed', pending: this.outbox.pending(), error: String(error) }));
    }
    this.scheduleAlarm();
  }

  /**
   * One flush at a time: a flush asked for while another runs (the alarm's and a read's) starts
   * when it ends, and writes what is left. Two at once would be harmless too (D1 ignores a row it
   * has), but would send the same rows twice.
   */
  private flushOutbox(): Promise<number> {
    const flush = this.flushing.then(async () => {
      const written = await this.outbox.flush(new D1UsageLedger(this.env.DB));
      this.flushRetryAt = 0;
      return written;
    });
    this.flushing = flush.catch(() => {});
    return flush;
  }

  /**
   * The alarm fires when the next lease runs out, or LEDGER_GATHER_MS after a ledger row was queued.
   * An alarm already set earlier is left alone (it sets the next one when it fires), and so is one
   * already due: moving or deleting an alarm that is being delivered cancels its run (workerd logs
   * it), and every settlement would otherwise push back the one the last settlement set.
   */
  private scheduleAlarm(): void {
    const now = Date.now();
    const flushAt = this.outbox.pending() > 0 ? Math.max(now + LEDGER_GATHER_MS, this.flushRetryAt) : null;
    const expiry = this.leases.nextExpiry();
    const at = flushAt === null ? expiry : expiry === null ? flushAt : Math.min(flushAt, expiry);
    if (at === null) {
      if (this.alarmAt !== null && this.alarmAt <= now) return;
      void this.ctx.storage.deleteAlarm();
    } else {
      if (this.alarmAt !== null && this.alarmAt <= at) return;
      void this.ctx.storage.setAlarm(at);
    }
    this.alarmAt = at;
  }
}
