import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import type { AppEnv } from '../env.ts';
import { readSpeechRequest } from '../speech/speech-request.ts';
import type { Caller } from './caller-auth.ts';
import type { AudioEnd, SpeechTicket } from '../accounts/speech-ticket.ts';
import type { CacheStatus } from '../cache/cache-status.ts';

/** What an admitted speech request came to (its ticket follows the audio stream). */
export interface SpeechSummary {
  /** The model that spoke; unset when no audio was streamed. */
  model: string | undefined;
  /** What the audio cache did (`hit`: no model ran); unset when no audio was streamed. */
  cache: CacheStatus | undefined;
  format: ResponseFormat;
  characters: number;
  /** How the audio stream ended; `no_audio` when the answer was an error instead. */
  outcome: AudioEnd['ending'] | 'no_audio';
  /** From the request's arrival to the first audio handed to the client; null when none was. */
  ttfbMs: number | null;
  /** Audio bytes handed to the client. */
  bytes: number;
}

/** What a request came to, once it is over. */
export interface RequestSummary {
  requestId: string;
  method: string;
  /** Without the query string. */
  path: string;
  status: number;
  /** From arrival until the response, or until the end of its audio stream. */
  durationMs: number;
  /** Unset when no key or client token was identified (admin and internal routes, refusals before it). */
  accountId: string | undefined;
  /** Unset unless the request was a speech request that was admitted. */
  speech: SpeechSummary | undefined;
}

/**
 * Middleware that hands `report` the request's summary once the request is over: when the
 * response is ready, or for streamed speech when the audio stream ends, so that its first byte,
 * duration and outcome are known. `report` must be synchronous (console.log and writeDataPoint
 * are) and nothing waits for it with waitUntil: a waitUntil held open across the stream keeps
 * workerd from telling the stream that its client left, and the client's stream slot then stays
 * taken. A stream that workerd tears down without notice (see metered-stream.ts) never reports.
 */
export const onRequestDone = (report: (summary: RequestSummary, c: Context<AppEnv>) => void) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const startedAt = Date.now();
    await next();
    const caller: Caller | undefined = c.get('caller');
    const ticket: SpeechTicket | undefined = c.get('speechTicket');
    // An admitted speech request's body was read and checked already: this is the cached result.
    const speech = ticket && { ...(await readSpeechRequest(c)), audio: ticket.audio };
    // What the response says now: by the time an audio stream ends, the context is stale.
    const known = { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, accountId: caller?.accountId };
    const send = (end?: AudioEnd) => {
      try {
        report(
          {
            ...known,
            durationMs: (end?.endedAt ?? Date.now()) - startedAt,
            speech: speech && {
              model: speech.audio?.model,
              cache: speech.audio?.cache,
              format: speech.format,
              characters: speech.characters,
              outcome: end?.ending ?? 'no_audio',
              ttfbMs: end?.firstChunkAt == null ? null : end.firstChunkAt - startedAt,
              bytes: end?.bytes ?? 0,
            },
          },
          c,
        );
      } catch (error) {
        console.error(JSON.stringify({ level: 'error', request_id: known.requestId, message: 'request report failed', error: String(error) }));
      }
    };
    if (speech?.audio) void speech.audio.ended.then(send);
    else send();
  });
