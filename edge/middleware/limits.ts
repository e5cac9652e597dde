import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../shared/errors.ts';
import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import { accountObject } from '../accounts/account-stub.ts';
import { chargeFor, deliveredAudioMs } from '../accounts/settlement.ts';
import { type Admission, PROGRESS_INTERVAL_MS, type Standing, type StreamContext } from '../accounts/types.ts';
import type { AppEnv } from '../env.ts';
import { meteredStream, type StreamOutcome, type StreamProgress } from '../http/metered-stream.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { documentHeaders, RETRY_AFTER_HEADERS } from '../openapi/headers.ts';
import { D1UsageLedger } from '../storage/usage-ledger.ts';
import { voiceNotFound } from '../voices/errors.ts';
import { KEY_REFUSAL_ERRORS, keyRefusal } from './api-key-auth.ts';

/** What the route tells the ticket about the stream it starts, for the charge and the ledger. */
export interface StreamUsage {
  model: string;
  voice: string;
  format: ResponseFormat;
  language: string;
  sampleRate: number;
  speed: number;
}

/**
 * An admitted speech request: its credits are reserved and it holds a stream slot. The route
 * hands it the worker's body with `meter`; the ticket then renews the slot's lease while the
 * stream runs and, when it ends, settles the charge and writes the ledger row.
 */
export interface SpeechTicket {
  readonly reserved: number;
  /** The version of the account's voice the request names, when it names one (see VoiceRegistry). */
  readonly voiceVersion: number | undefined;
  meter(upstream: ReadableStream<Uint8Array>, usage: StreamUsage): ReadableStream<Uint8Array>;
  /** Once `meter` started the stream: the model speaking it, and how and when the stream ended (request log, analytics). */
  readonly audio: MeteredAudio | undefined;
}

/** How an audio stream ended, and when (ms since the epoch). */
export type AudioEnd = StreamOutcome & { endedAt: number };
export interface MeteredAudio {
  model: string;
  ended: Promise<AudioEnd>;
}

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
} as const;
export const LIMIT_HEADERS = documentHeaders(LIMIT_HEADER_DESCRIPTIONS, { type: 'integer' });

/** What admission refuses a speech request with, and the limit headers sent along. */
export const ADMISSION_ERRORS = errorCatalogue(
  {
    401: KEY_REFUSAL_ERRORS.codes[401],
    402: ['insufficient_credits'],
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
  return headers;
}

/** The answer to a refused admission: 401, 402, 409, 413 or 429 with `Retry-After`. */
export function refusalError(admission: Extract<Admission, { ok: false }>, characters: number, voiceId?: string): ApiError {
  const headers = limitHeaders(admission);
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

const log = (level: 'warn' | 'error', requestId: string, message: string, fields: Record<string, unknown> = {}) =>
  console[level](JSON.stringify({ level, request_id: requestId, message, ...fields }));

/**
 * Admits a speech request against its account's Durable Object in one call: key still active,
 * the named voice (if the account's own) still there, credits reserved, request and character buckets charged, a stream slot leased. `measure`
 * reads the request's size in characters (and may throw a 400 before anything is taken).
 * Needs `identifyApiKey` before it.
 *
 * While the request runs it reports its progress to the object every PROGRESS_INTERVAL_MS,
 * which renews its lease. When the stream ends the edge settles it at once (full charge when
 * complete, the delivered audio's worth when cut short) and writes the ledger row. If the
 * request is torn down without the edge hearing of it, the reports stop, the lease runs out and
 * the object settles at the last report and writes the row itself. If the route starts no
 * stream (a later 404, a worker that refused), the reservation and the slot are released
 * before the answer goes out.
 */
export const speechLimits = (measure: (c: Context<AppEnv>) => Promise<{ characters: number; voiceId?: string | undefined }>) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const key = c.get('apiKey');
    const requestId = c.get('requestId');
    const { characters, voiceId } = await measure(c);
    const account = accountObject(c.env, key.account_id);
    const admission = await account.admit({ request_id: requestId, key_id: key.id, characters, ...(voiceId ? { voice_id: voiceId } : {}) });
    if (!admission.ok) throw refusalError(admission, characters, voiceId);

    const admittedAt = new Date();
    let usage: StreamUsage | undefined;
    let progress: StreamProgress | undefined;
    let audio: MeteredAudio | undefined;
    let finished = false;
    const audioMs = () => (usage && progress ? deliveredAudioMs(progress.bytes, usage.format, usage.sampleRate) : 0);
    const chargeNow = (completed: boolean) =>
      usage ? chargeFor(characters, { completed }, { ms: audioMs(), speed: usage.speed, language: usage.language }) : 0;
    const firstAudioMs = () => (progress?.firstChunkAt == null ? null : Math.max(0, progress.firstChunkAt - admittedAt.getTime()));
    const context = (): StreamContext | undefined =>
      usage ? { model: usage.model, voice: usage.voice, time_to_first_audio_ms: firstAudioMs() } : undefined;

    const report = () => {
      if (finished) return;
      const sent = account
        .progress({ request_id: requestId, charge: chargeNow(false), audio_ms: audioMs(), context: context() })
        .then((alive) => {
          if (!alive && !finished) log('warn', requestId, 'stream lease ran out while the request was running');
        })
        .catch((error) => log('warn', requestId, 'progress report failed', { error: String(error) }));
      c.executionCtx.waitUntil(sent);
    };
    const heartbeat = setInterval(report, PROGRESS_INTERVAL_MS);

    const settle = async (outcome: StreamOutcome) => {
      const settlement = await account.settle({ request_id: requestId, charge: chargeNow(outcome.completed), status: outcome.ending });
      if (!settlement) return log('error', requestId, 'settlement found no lease', { account_id: key.account_id });
      // Already settled: the lease ran out first, and the account's object wrote the ledger row.
      if (!settlement.applied) return log('warn', requestId, 'stream settled after its lease ran out', { charged: settlement.charged });
      await new D1UsageLedger(c.env.DB).record({
        account_id: key.account_id,
        request_id: requestId,
        key_id: key.id,
        model: usage!.model,
        voice: usage!.voice,
        characters,
        audio_ms: audioMs(),
        credits_charged: settlement.charged,
        status: settlement.status,
        time_to_first_audio_ms: firstAudioMs(),
        created_at: admittedAt.toISOString(),
      });
    };

    c.set('speechTicket', {
      reserved: admission.reserved,
      voiceVersion: admission.voice_version,
      get audio() {
        return audio;
      },
      meter(upstream, streamUsage) {
        usage = streamUsage;
        let ended!: (end: AudioEnd) => void;
        audio = { model: streamUsage.model, ended: new Promise<AudioEnd>((resolve) => (ended = resolve)) };
        const metered = meteredStream(upstream, {
          clientSignal: c.req.raw.signal,
          onEnd: (outcome) => {
            ended({ ...outcome, endedAt: Date.now() });
            finished = true;
            clearInterval(heartbeat);
            if (!outcome.completed) log('warn', requestId, 'stream ended early', { bytes: outcome.bytes, ending: outcome.ending });
            c.executionCtx.waitUntil(settle(outcome).catch((error) => log('error', requestId, 'settlement failed', { error: String(error) })));
          },
        });
        progress = metered.progress;
        report(); // the ledger context, as soon as it is known
        return metered.body;
      },
    });

    try {
      await next();
    } finally {
      if (!usage) {
        // Nothing was streamed: nothing is charged, and the slot is free before the client hears back.
        finished = true;
        clearInterval(heartbeat);
        await account.settle({ request_id: requestId, charge: 0, status: 'failed' });
      }
    }
    if (usage) {
      for (const [name, value] of Object.entries(limitHeaders(admission))) c.res.headers.set(name, value);
    }
  });
