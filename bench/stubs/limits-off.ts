/**
 * The speech limits middleware with the limits taken out, for benches only (bench/edge-variants.ts): it
 * replaces edge/middleware/limits.ts at bundle time, so the "limits off" edge is the same code
 * minus every call to the account's Durable Object (no admission, no progress reports, no
 * settlement, no ledger row). Never part of a deployed edge.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import type { AppEnv } from '../../edge/env.ts';
import { meteredStream } from '../../edge/http/metered-stream.ts';
import { errorCatalogue } from '../../edge/openapi/error-catalogue.ts';

/** What the speech route documents from the real module: without limits, no refusals and no limit headers. */
export const ADMISSION_ERRORS = errorCatalogue({});
export const LIMIT_HEADERS = {};

export interface StreamUsage {
  model: string;
  voice: string;
  language: string;
  format: ResponseFormat;
  sampleRate: number;
  speed: number;
}

export interface SpeechTicket {
  readonly reserved: number;
  /** Only admission knows an account's voices: the "limits off" edge speaks presets only. */
  readonly voiceVersion: number | undefined;
  meter(upstream: ReadableStream<Uint8Array>, usage: StreamUsage): ReadableStream<Uint8Array>;
  /** Not followed here: the request log of the "limits off" edge has no speech details. */
  readonly audio: undefined;
}

export const speechLimits = (measure: (c: Context<AppEnv>) => Promise<{ characters: number }>) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { characters } = await measure(c);
    c.set('speechTicket', {
      reserved: characters,
      voiceVersion: undefined,
      audio: undefined,
      meter: (upstream) => meteredStream(upstream, { onEnd: () => {}, clientSignal: c.req.raw.signal }).body,
    });
    await next();
  });
