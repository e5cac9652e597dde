import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../shared/errors.ts';
import { AdmissionForecast } from '../accounts/admission-forecast.ts';
import { accountObject } from '../accounts/account-stub.ts';
import { openSpeechTicket } from '../accounts/speech-ticket.ts';
import type { TokenScope } from '../accounts/client-token-types.ts';
import type { Admission, Standing } from '../accounts/types.ts';
import type { AppEnv } from '../env.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { documentHeaders, RETRY_AFTER_HEADERS } from '../openapi/headers.ts';
import { isTokenRefusal, TOKEN_ERRORS, tokenRefusal, type TokenRequestFacts } from '../tokens/token-errors.ts';
import { voiceNotFound } from '../voices/errors.ts';
import type { SpeechTicket } from '../accounts/speech-ticket.ts';
import { endAdmission } from './admission-timing.ts';
import { KEY_REFUSAL_ERRORS, keyRefusal } from './api-key-auth.ts';
import { type Caller, credentialOf } from './caller-auth.ts';

/** Every header `limitHeaders` sets, and what it says (docs/billing.md, and the API reference). */
const LIMIT_HEADER_DESCRIPTIONS = {
  'x-ratelimit-limit': 'Requests per minute the account may make (as `x-ratelimit-limit-requests`).',
  'x-ratelimit-remaining': 'Requests left in the bucket now (as `x-ratelimit-remaining-requests`).',
  'x-ratelimit-reset': 'Seconds until the request bucket is full again (as `x-ratelimit-reset-requests`).',
  'x-ratelimit-limit-requests': 'Requests per minute the account may make.',
  'x-ratelimit-remaining-requests': 'Requests left in the bucket now.',
  'x-ratelimit-reset-requests': 'Seconds until the request bucket is full again.',
  'x-ratelimit-limit-characters': 'Characters of input per minute the account may send.',
  'x-ratelimit-remaining-characters': 'Characters left in the bucket now.',
  'x-ratelimit-reset-characters': 'Seconds until the character bucket is full again.',
  'x-ratelimit-limit-streams': 'Streams the account may have open at once.',
  'x-ratelimit-remaining-streams': 'Stream slots free now.',
  'x-credits-remaining': "The account's balance after this request's cost was reserved (1 credit = 1 input character).",
  'x-token-remaining-characters': "With a client token that has a `max_characters`: the characters it has left after this request's were reserved.",
  'x-token-remaining-requests': 'With a client token that has a `max_requests` (or is single-use): the requests it has left after this one.',
} as const;
export const LIMIT_HEADERS = documentHeaders(LIMIT_HEADER_DESCRIPTIONS, { type: 'integer' });

/** What admission refuses a speech request with, and the limit headers sent along. */
export const ADMISSION_ERRORS = errorCatalogue(
  {
    401: [...KEY_REFUSAL_ERRORS.codes[401], ...TOKEN_ERRORS.codes[401]],
    402: ['insufficient_credits', ...TOKEN_ERRORS.codes[402]],
    403: TOKEN_ERRORS.codes[403],
    404: ['voice_not_found'],
    409: ['request_id_reused'],
    413: ['input_exceeds_character_limit'],
    429: ['rate_limit_requests', 'rate_limit_characters', 'concurrent_streams_exceeded'],
  },
  { ...KEY_REFUSAL_ERRORS.headers, 402: LIMIT_HEADERS, 409: LIMIT_HEADERS, 413: LIMIT_HEADERS, 429: { ...RETRY_AFTER_HEADERS, ...LIMIT_HEADERS } },
);

/** The limit headers every speech response carries, refusals included. */
export function limitHeaders(standing: Partial<Standing>): Partial<Record<keyof typeof LIMIT_HEADER_DESCRIPTIONS, string>> {
  const headers: ReturnType<typeof limitHeaders> = {};
  const { requests, characters, streams, balance } = standing;
  if (requests) {
    headers['x-ratelimit-limit'] = headers['x-ratelimit-limit-requests'] = String(requests.limit);
    headers['x-ratelimit-remaining'] = headers['x-ratelimit-remaining-requests'] = String(requests.remaining);
    headers['x-ratelimit-reset'] = headers['x-ratelimit-reset-requests'] = String(requests.resetSeconds);
  }
  if (characters) {
    headers['x-ratelimit-limit-characters'] = String(characters.limit);
    headers['x-ratelimit-remaining-characters'] = String(characters.remaining);
    headers['x-ratelimit-reset-characters'] = String(characters.resetSeconds);
  }
  if (streams) {
    headers['x-ratelimit-limit-streams'] = String(streams.limit);
    headers['x-ratelimit-remaining-streams'] = String(Math.max(0, streams.limit - streams.active));
  }
  if (balance !== undefined) headers['x-credits-remaining'] = String(balance);
  const token = standing.token;
  if (token?.characters_remaining != null) headers['x-token-remaining-characters'] = String(token.characters_remaining);
  if (token?.requests_remaining != null) headers['x-token-remaining-requests'] = String(token.requests_remaining);
  return headers;
}

/** The answer to a refused admission: 401, 402, 403, 409, 413 or 429 with `Retry-After`. */
export function refusalError(admission: Extract<Admission, { ok: false }>, characters: number, voiceId?: string, facts: TokenRequestFacts = {}): ApiError {
  const headers = limitHeaders(admission);
  if (isTokenRefusal(admission.reason)) {
    const refusal = tokenRefusal(admission.reason, { ...facts, characters, ...(admission.token ? { standing: admission.token } : {}) });
    Object.assign(refusal.headers, headers);
    return refusal;
  }
  const tooMany = (code: (typeof ADMISSION_ERRORS.codes)[429][number], message: string) =>
    new ApiError(429, 'rate_limit_error', code, message, {
      headers: { ...headers, 'retry-after': String(admission.retry_after_seconds ?? 1) },
    });
  switch (admission.reason) {
    case 'account_not_found':
    case 'key_unknown':
      return keyRefusal('unknown')!;
    case 'key_revoked':
      return keyRefusal('revoked')!;
    case 'key_expired':
      return keyRefusal('expired')!;
    case 'voice_not_found':
      return voiceNotFound(voiceId ?? '');
    case 'request_id_reused':
      return new ApiError(409, 'invalid_request_error', 'request_id_reused', 'This x-request-id was already used by an earlier request; send a new one.', {
        headers,
      });
    case 'insufficient_credits':
      return new ApiError(
        402,
        'insufficient_credits',
        'insufficient_credits',
        `This request costs ${characters} credits and the account has ${admission.balance ?? 0}. Add credits to continue.`,
        { headers },
      );
    case 'input_exceeds_character_limit':
      return new ApiError(
        413,
        'invalid_request_error',
        'input_exceeds_character_limit',
        `input has ${characters} characters, more than the account's limit of ${admission.characters?.limit} characters per minute. Split it into smaller requests.`,
        { param: 'input', headers },
      );
    case 'requests_per_minute':
      return tooMany('rate_limit_requests', `The account's limit of ${admission.requests?.limit} requests per minute is reached.`);
    case 'characters_per_minute':
      return tooMany('rate_limit_characters', `The account's limit of ${admission.characters?.limit} characters per minute is reached.`);
    case 'concurrent_streams':
      return tooMany(
        'concurrent_streams_exceeded',
        `The account already has ${admission.streams?.active} streams open, its limit. Retry when one ends.`,
      );
  }
}

/** A speech request (or a realtime socket's chunk) to admit. */
export interface SpeechToAdmit {
  caller: Caller;
  /** What a client token must allow: the route's scope, the served model and the voice as named. */
  scope: TokenScope;
  model: string;
  voice: string;
  requestId: string;
  characters: number;
  /** The account's own voice it speaks with, which admission checks the account has. */
  voiceId?: string | undefined;
  /** A socket's chunks share its stream slot and count as no request of their own (AdmitRequest). */
  socket?: { streamId: string };
  /** The client's going away ends the stream as `client_closed`. */
  clientSignal: AbortSignal;
}

// Per isolate: what the last admission of each key and client token said (admission-forecast.ts).
const forecast = new AdmissionForecast();
const credentialName = (caller: Caller) => (caller.token ? `token:${caller.token.hash}` : `key:${caller.keyId}`);

/** Admits against the account's object, or throws its refusal; the ticket that meters what follows. */
export async function admitSpeech(c: Context<AppEnv>, request: SpeechToAdmit) {
  const { caller, scope, model, voice, requestId, characters, voiceId, socket, clientSignal } = request;
  const { accountId } = caller;
  const admission = await accountObject(c.env, accountId).admit({
    ...credentialOf(caller, { scope, model, voice }),
    request_id: requestId,
    characters,
    ...(voiceId ? { voice_id: voiceId } : {}),
    ...(socket ? { stream_id: socket.streamId, count_request: false } : {}),
    context: { model, voice, time_to_first_audio_ms: null },
  });
  forecast.record(credentialName(caller), admission);
  if (!admission.ok) throw refusalError(admission, characters, voiceId, { scope, model, voice, origin: caller.token?.origin ?? null });
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  const ticket = openSpeechTicket({ env: c.env, waitUntil, accountId, requestId, characters, admission, clientSignal });
  return { ticket, admission };
}

/** What a speech request is, for admission: its size, the served model, the voice as named, and the account's own voice it names. */
export interface MeasuredSpeech {
  characters: number;
  model: string;
  voice: string;
  voiceId?: string | undefined;
}

/**
 * Admits a speech request against its account's Durable Object in one call: key still active,
 * the named voice (if the account's own) still there, credits reserved, request and character
 * buckets charged, a stream slot leased; with a client token, the token checked and its caps
 * taken in the same call. `measure` reads the request's size in characters, model and voice (and
 * may throw a 400 before anything is taken). Needs `identifyCaller` before it. The ticket it
 * leaves in the context (edge/accounts/speech-ticket.ts) meters, renews and settles the stream;
 * if the route starts none (a later 404, a worker that refused), the reservation and the slot
 * are released before the answer goes out.
 *
 * A preset voice's request whose credential the isolate expects to be admitted
 * (admission-forecast.ts) goes on to the route while the object decides: the route sends the
 * worker its request, then waits for `speechAdmitted` before it streams or charges anything, so
 * the object's round trip overlaps the worker's time to first audio. Every other request (an
 * account's own voice, whose profile admission versions; a credential with no recent standing)
 * is admitted first.
 */
export const speechLimits = (measure: (c: Context<AppEnv>) => Promise<MeasuredSpeech>) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const measured = await measure(c);
    const caller = c.get('caller');
    const admitting = admitSpeech(c, { ...measured, caller, scope: 'speech', requestId: c.get('requestId'), clientSignal: c.req.raw.signal }).then((admitted) => {
      c.set('speechTicket', admitted.ticket);
      c.set('admissionMs', endAdmission(c));
      return admitted;
    });
    admitting.catch(() => {}); // a refusal is thrown by whoever awaits it: the route, or below
    c.set('speechAdmission', admitting);
    if (measured.voiceId !== undefined || !forecast.likely(credentialName(caller), measured.characters)) await admitting;
    let admitted: Awaited<typeof admitting> | undefined;
    try {
      await next();
    } finally {
      admitted = await admitting.catch(() => undefined);
      await admitted?.ticket.releaseUnused();
    }
    if (admitted?.ticket.audio) {
      for (const [name, value] of Object.entries(limitHeaders(admitted.admission))) c.res.headers.set(name, value);
    }
  });

/**
 * The request's admission: resolves once the account's object admitted it (the ticket is then in
 * the context), throws its refusal. Routes await it before they stream or charge anything.
 */
export async function speechAdmitted(c: Context<AppEnv>): Promise<SpeechTicket> {
  return (await c.get('speechAdmission')).ticket;
}
