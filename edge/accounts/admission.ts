import type { AccountRecord } from './account-record.ts';
import type { AuthorizedToken } from './client-token-types.ts';
import type { ClientTokens } from './client-tokens.ts';
import type { JobHolds } from './job-holds.ts';
import type { KeyStatuses } from './key-status.ts';
import type { Leases } from './leases.ts';
import type { RateBuckets } from './rate-buckets.ts';
import type { SettlementBook } from './settlement-book.ts';
import { type Admission, type AdmitRequest, type Charged, type Credential, type JobHold, type JobHoldRequest, LEASE_TTL_MS, type RefusalReason } from './types.ts';
import type { VoiceRegistry } from './voice-registry.ts';

export interface AdmissionParts {
  account: AccountRecord;
  keys: KeyStatuses;
  tokens: ClientTokens;
  voices: VoiceRegistry;
  buckets: RateBuckets;
  leases: Leases;
  settlements: SettlementBook;
  holds: JobHolds;
}

/**
 * Whether a speech request or a realtime socket may start, and what it takes when it may: rate
 * limit tokens, reserved credits and a stream slot (a lease).
 */
export class StreamAdmission {
  private readonly storage: DurableObjectStorage;
  private readonly parts: AdmissionParts;

  constructor(storage: DurableObjectStorage, parts: AdmissionParts) {
    this.storage = storage;
    this.parts = parts;
  }

  /**
   * Who the request acts as: an active key, or a client token that may be used for what it asks
   * (edge/accounts/client-tokens.ts) and the key that minted it.
   */
  private identify(credential: Credential, now: number): { ok: true; keyId: string; token?: AuthorizedToken } | { ok: false; reason: RefusalReason } {
    if (credential.token) {
      const authorized = this.parts.tokens.authorize(credential.token, now);
      return authorized.ok ? { ok: true, keyId: authorized.token.key_id, token: authorized.token } : authorized;
    }
    const keyRefused = this.parts.keys.refusal(credential.key_id, now);
    return keyRefused ? { ok: false, reason: keyRefused } : { ok: true, keyId: credential.key_id };
  }

  /**
   * Decides whether a speech request may start: the key (or client token) may be used for it,
   * the request id is new, the token's caps and the credits cover its characters, and the
   * request, character and stream limits all have room. Only when everything passes is anything
   * taken: a request token, its characters from the character bucket, its characters from the
   * balance (reserved) and from the token's cap, and a stream lease.
   */
  admit(request: AdmitRequest): Admission {
    const { tokens, voices, buckets, leases, settlements, holds } = this.parts;
    const account = this.parts.account.read();
    if (!account) return { ok: false, reason: noAccount(request) };
    const who = this.identify(request, Date.now());
    if (!who.ok) return { ok: false, reason: who.reason };
    // A job's chunk draws on the job's hold; the job took its request when it was accepted.
    const hold = request.job_id === undefined ? undefined : holds.get(request.job_id);
    const credits = request.job_id === undefined ? account.balance : (hold?.reserved ?? 0);
    const countsRequest = request.count_request !== false && !hold;
    // The token's caps come before the account's limits: what the token has left is the tighter bound.
    const exhausted = who.token && tokens.exhaustion(who.token, request.characters, countsRequest);
    if (exhausted) return { ok: false, reason: exhausted, token: who.token!.standing };
    // Before anything is taken: a request for a voice the account does not have costs nothing.
    const voice = request.voice_id === undefined ? undefined : voices.get(request.voice_id);
    if (request.voice_id !== undefined && !voice) return { ok: false, reason: 'voice_not_found' };

    const now = Date.now();
    settlements.sweep(now);
    const reused = leases.get(request.request_id) !== undefined || settlements.has(request.request_id);

    const requestsTaken = buckets.take('requests', countsRequest ? 1 : 0, account, now);
    const charactersTaken = buckets.take('characters', hold ? 0 : request.characters, account, now);
    const active = leases.activeStreams();
    // A piece of a stream that already holds its slot (a socket's next chunk) needs no other.
    const streamId = request.stream_id ?? request.request_id;
    const slotHeld = leases.holdsSlot(streamId);
    // A refused request takes nothing, so its standing is the buckets as they are.
    const refused = (reason: RefusalReason, retryAfterSeconds?: number): Admission => ({
      ok: false,
      reason,
      ...(retryAfterSeconds === undefined ? {} : { retry_after_seconds: retryAfterSeconds }),
      balance: account.balance,
      requests: buckets.peek('requests', account, now, requestsTaken.state),
      characters: buckets.peek('characters', account, now, charactersTaken.state),
      streams: { limit: account.concurrent_streams, active },
      ...(who.token ? { token: who.token.standing } : {}),
    });

    // With the limit headers, as every refusal after the credential's (the API reference says so).
    if (reused) return refused('request_id_reused');
    if (request.characters > credits) return refused('insufficient_credits');
    if (!charactersTaken.ok && charactersTaken.neverFits) return refused('input_exceeds_character_limit');
    if (!requestsTaken.ok) return refused('requests_per_minute', requestsTaken.retryAfterSeconds);
    if (!charactersTaken.ok) return refused('characters_per_minute', charactersTaken.retryAfterSeconds);
    // A slot frees when a stream ends, which cannot be foreseen: one second is a fair first wait
    // (and no stream holds its slot beyond its lease).
    if (!slotHeld && active >= slotLimit(account.concurrent_streams, hold !== undefined)) return refused('concurrent_streams', 1);

    const leaseExpires = now + (request.lease_ttl_ms ?? LEASE_TTL_MS);
    const token = who.token;
    const tokenLeft = this.storage.transactionSync(() => {
      buckets.save('requests', requestsTaken.state);
      buckets.save('characters', charactersTaken.state);
      if (hold) holds.adjust(hold.job_id, -request.characters);
      else this.parts.account.addToBalance(-request.characters);
      leases.add({
        requestId: request.request_id,
        keyId: who.keyId,
        tokenId: token?.token_id,
        countedRequest: countsRequest,
        reserved: request.characters,
        admittedMs: now,
        expiresMs: leaseExpires,
        streamId,
        context: request.context,
        jobId: hold?.job_id,
      });
      return token && tokens.take(token, request.characters, countsRequest);
    });
    return {
      ok: true,
      key_id: who.keyId,
      ...(token ? { token_id: token.token_id, token: tokenLeft! } : {}),
      reserved: request.characters,
      lease_expires_ms: leaseExpires,
      ...(voice ? { voice_version: voice.version } : {}),
      audio_cache: account.audio_cache !== 0,
      balance: hold ? account.balance : account.balance - request.characters,
      requests: view(requestsTaken),
      characters: view(charactersTaken),
      streams: { limit: account.concurrent_streams, active: slotHeld ? active : active + 1 },
    };
  }

  /**
   * A long-form job as a whole: its key must be active, it takes one token of the
   * requests-per-minute limit, and all of its characters are held from the balance (JobHolds)
   * for its chunks to draw on. The characters-per-minute limit is not charged: a job is paced by
   * its chunks' stream slots instead (a book would never fit a minute's characters).
   */
  holdJob(request: JobHoldRequest): JobHold {
    const { buckets, holds } = this.parts;
    const account = this.parts.account.read();
    if (!account) return { ok: false, reason: 'account_not_found' };
    const now = Date.now();
    const keyRefused = this.parts.keys.refusal(request.key_id, now);
    if (keyRefused) return { ok: false, reason: keyRefused };
    if (holds.get(request.job_id)) return { ok: false, reason: 'request_id_reused' };
    if (request.characters > account.balance) return { ok: false, reason: 'insufficient_credits', balance: account.balance };
    const taken = buckets.take('requests', 1, account, now);
    if (!taken.ok) return { ok: false, reason: 'requests_per_minute', retry_after_seconds: taken.retryAfterSeconds };
    this.storage.transactionSync(() => {
      buckets.save('requests', taken.state);
      this.parts.account.addToBalance(-request.characters);
      holds.add(request.job_id, request.key_id, request.characters, now);
    });
    return { ok: true, reserved: request.characters, balance: account.balance - request.characters };
  }

  /**
   * A realtime socket opening: its key must be active (or its client token usable for the
   * socket, with a request left), and it takes one token of the requests-per-minute limit and one
   * of the client token's requests (its chunks take characters, credits and a slot, but no request).
   */
  admitSocket(credential: Credential): ({ ok: true } & Charged) | Extract<Admission, { ok: false }> {
    const { tokens, buckets } = this.parts;
    const account = this.parts.account.read();
    if (!account) return { ok: false, reason: noAccount(credential) };
    const now = Date.now();
    const who = this.identify(credential, now);
    if (!who.ok) return { ok: false, reason: who.reason };
    const exhausted = who.token && tokens.exhaustion(who.token, 0, true);
    if (exhausted) return { ok: false, reason: exhausted, token: who.token!.standing };
    const taken = buckets.take('requests', 1, account, now);
    if (!taken.ok) {
      const requests = buckets.peek('requests', account, now, taken.state);
      return { ok: false, reason: 'requests_per_minute', retry_after_seconds: taken.retryAfterSeconds, requests };
    }
    const token = who.token;
    this.storage.transactionSync(() => {
      buckets.save('requests', taken.state);
      if (token) tokens.take(token, 0, true);
    });
    return { ok: true, key_id: who.keyId, ...(token ? { token_id: token.token_id } : {}) };
  }
}

/**
 * The stream slots a request may find taken and still start: all but one for a job's chunk, so a
 * running job never leaves the account's live requests without a slot (unless it has only one).
 */
const slotLimit = (limit: number, jobChunk: boolean) => (jobChunk && limit > 1 ? limit - 1 : limit);

/**
 * A credential that names an account that does not exist: a key is unknown, and so is a client
 * token (a token names its account, so a forged one lands here: 401 invalid_token, not a key's error).
 */
const noAccount = (credential: Credential): RefusalReason => (credential.token ? 'token_unknown' : 'account_not_found');

const view = ({ limit, remaining, resetSeconds }: { limit: number; remaining: number; resetSeconds: number }) => ({
  limit,
  remaining,
  resetSeconds,
});
