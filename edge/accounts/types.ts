import type { CacheStatus } from '../cache/cache-status.ts';
import type { TokenRefusalReason, TokenStanding, TokenUse } from './client-token-types.ts';
import type { BucketView } from './token-bucket.ts';

/** What an account may do; enforced by its Durable Object. */
export interface AccountLimits {
  requests_per_minute: number;
  characters_per_minute: number;
  concurrent_streams: number;
  /** Cloned and designed voices the account may keep at once. */
  max_voices: number;
}

/** Limits of an account created without them (documented in docs/billing.md). */
export const DEFAULT_LIMITS: AccountLimits = {
  requests_per_minute: 60,
  characters_per_minute: 50_000,
  concurrent_streams: 4,
  max_voices: 100,
};

/**
 * A stream's slot is leased for this long and renewed (with a progress report) every
 * PROGRESS_INTERVAL_MS while the request runs. When the reports stop (the edge's request was
 * torn down: its client went away, or the edge crashed) the lease runs out, the account's object
 * settles it at its last reported progress and frees the slot.
 */
export const LEASE_TTL_MS = 5_000;
export const PROGRESS_INTERVAL_MS = 1_000;

/** Ledger rows the account's object sends to D1 in one batch (one round trip, one D1 transaction). */
export const LEDGER_BATCH_ROWS = 50;

export interface AccountConfig {
  account_id: string;
  credits: number;
  limits: AccountLimits;
  /** Whether the audio cache serves the account; absent: on. */
  audio_cache?: boolean;
}

export interface AccountSnapshot {
  account_id: string;
  /** Credits available for new requests (reservations of running streams already taken out). */
  balance: number;
  /** Credits held by running streams until they settle. */
  reserved: number;
  limits: AccountLimits;
  /** Whether the audio cache serves the account's speech (an admin's setting). */
  audio_cache: boolean;
  /** Cloned and designed voices the account has (at most limits.max_voices). */
  voices: number;
  active_streams: number;
  /** The running streams, with what each has delivered so far. */
  streams: Array<{ request_id: string; key_id: string; reserved: number; delivered_audio_ms: number; charge_so_far: number }>;
  requests: BucketView;
  characters: BucketView;
}

export type KeyStatus = 'active' | 'revoked' | 'expired' | 'unknown';

/**
 * Who a request acts as: one of the account's keys (the edge found it by its secret's hash), or a
 * client token one of them minted, which only this object can resolve (it keeps the tokens).
 */
export type Credential = { key_id: string; token?: never } | { token: TokenUse; key_id?: never };

export type AdmitRequest = Credential & {
  request_id: string;
  /** The request's size in characters: what the character bucket is charged and the credits reserved. */
  characters: number;
  /** A cloned or designed voice the request speaks with: refused unless the account has it. */
  voice_id?: string;
  lease_ttl_ms?: number;
  /**
   * The stream slot it runs in: requests with the same `stream_id` share one (a realtime
   * socket's chunks, spoken one after another). Absent: a slot of its own.
   */
  stream_id?: string;
  /** False: not a request of its own for the requests-per-minute limit (a socket's chunk). */
  count_request?: boolean;
  /**
   * What the ledger row says of the stream should its lease run out before any progress report
   * (the model and voice; reports then add the time to first audio).
   */
  context?: StreamContext;
  /**
   * A chunk of this long-form job: its credits come from the job's hold (JobHolds), not the
   * balance, and it takes no request or character tokens (the job was admitted as a whole), but a
   * stream slot as any stream does.
   */
  job_id?: string;
};

/** A long-form job's admission as a whole: its credits held, one request taken. */
export interface JobHoldRequest {
  key_id: string;
  job_id: string;
  characters: number;
}

export type JobHold =
  | { ok: true; reserved: number; balance: number }
  | { ok: false; reason: RefusalReason; retry_after_seconds?: number; balance?: number };

export type RefusalReason =
  | 'account_not_found'
  | 'key_revoked'
  | 'key_expired'
  | 'key_unknown'
  | 'request_id_reused'
  | 'voice_not_found'
  | 'insufficient_credits'
  | 'input_exceeds_character_limit'
  | 'requests_per_minute'
  | 'characters_per_minute'
  | 'concurrent_streams'
  | TokenRefusalReason;

/** The account's standing after an admission decision; it becomes the response's limit headers. */
export interface Standing {
  balance: number;
  requests: BucketView;
  characters: BucketView;
  streams: { limit: number; active: number };
  /** What the client token has left, when the request came with one. */
  token?: TokenStanding;
}

/** Whom an admitted request is charged to: the key, and the client token it came with. */
export interface Charged {
  key_id: string;
  token_id?: string;
}

export type Admission =
  | ({
      ok: true;
      reserved: number;
      lease_expires_ms: number;
      voice_version?: number;
      /** The account's audio-cache setting; absent (an object from before the setting): on. */
      audio_cache?: boolean;
    } & Charged &
      Standing)
  | ({ ok: false; reason: RefusalReason; retry_after_seconds?: number } & Partial<Standing>);

/** How a stream ended, as the edge reports it when it settles. */
export type StreamStatus = 'completed' | 'client_closed' | 'failed';

export interface SettleRequest {
  request_id: string;
  /** What the edge computed from the audio delivered; the object caps it at the reservation. */
  charge: number;
  status: StreamStatus;
  /**
   * What only the edge knows of the stream, for its ledger row, which the object queues in the
   * settlement's own transaction. Absent for a request that started no stream (no worker took
   * it): it is settled, at no charge, and the ledger does not record it.
   */
  stream?: SettledStream;
}

/** A settled stream's audio and context, as the edge saw them: the ledger row's share from the edge. */
export interface SettledStream {
  /** Milliseconds of audio handed to the client. */
  audio_ms: number;
  context: StreamContext;
}

/** What the ledger row of a request says besides its charge; known once its stream starts. */
export interface StreamContext {
  model: string;
  voice: string;
  time_to_first_audio_ms: number | null;
  /** What the audio cache did for the request (the ledger's `cache`); absent: not a request the cache saw (a job's chunk). */
  cache?: CacheStatus;
}

/** A running stream's report: renews its lease and records what it has delivered so far. */
export interface ProgressReport {
  request_id: string;
  /** What the stream would be charged if it ended now (capped at the reservation). */
  charge: number;
  audio_ms: number;
  context?: StreamContext;
  lease_ttl_ms?: number;
}

export interface Settlement {
  request_id: string;
  key_id: string;
  reserved: number;
  charged: number;
  status: StreamStatus | 'lease_expired';
  balance: number;
  /** False when this request had already been settled: the first settlement stands. */
  applied: boolean;
}

export type CreditChange = { ok: true; balance: number } | { ok: false; balance: number };

/** An account's own voice, as its object knows it: existence, version and quota live here. */
export interface VoiceEntry {
  voice_id: string;
  version: number;
}

export interface RegisterVoiceRequest {
  voice_id: string;
  /** Credits the creation costs; taken only if the voice is registered. */
  charge: number;
}

export type VoiceRegistration =
  | { ok: true; created: boolean; version: number; balance: number }
  | { ok: false; reason: 'account_not_found' | 'voice_quota_exceeded' | 'insufficient_credits'; limit: number; count: number; balance: number };
