/**
 * The speech limits middleware with the limits taken out, for benches only (bench/edge-variants.ts): it
 * replaces edge/middleware/limits.ts at bundle time, so the "limits off" edge is the same code
 * minus every call to the account's Durable Object from admission (no admission, no progress
 * reports, no settlement, no ledger row). Never part of a deployed edge.
 *
 * Typed against the module it replaces (the check at the end): an export added, removed or
 * changed there breaks `npm run typecheck`, not a bench run weeks later.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AudioEnd, MeteredAudio, SpeechTicket } from '../../edge/accounts/speech-ticket.ts';
import type { AppEnv } from '../../edge/env.ts';
import { meteredStream } from '../../edge/http/metered-stream.ts';
import type * as Limits from '../../edge/middleware/limits.ts';
// What makes no call to the object is the real module's: the refusals and headers the routes
// document, and what the realtime socket's opening (which asks the object itself) refuses with.
// edge-variants.ts resolves this one import to the real module.
import { ADMISSION_ERRORS, LIMIT_HEADERS, limitHeaders, refusalError } from '../../edge/middleware/limits.ts';

export { ADMISSION_ERRORS, LIMIT_HEADERS, limitHeaders, refusalError };

/** A ticket that meters the stream (for the request log and the socket's chunks) and reports to no one. */
function unlimitedTicket(characters: number, clientSignal: AbortSignal): SpeechTicket & { releaseUnused(): Promise<void> } {
  let audio: MeteredAudio | undefined;
  return {
    reserved: characters,
    /** Only admission knows an account's voices: the "limits off" edge speaks presets only. */
    voiceVersion: undefined,
    audioCache: true,
    get audio() {
      return audio;
    },
    meter(upstream, usage) {
      let ended!: (end: AudioEnd) => void;
      audio = { model: usage.model, ended: new Promise<AudioEnd>((resolve) => (ended = resolve)) };
      return meteredStream(upstream, { clientSignal, onEnd: (outcome) => ended({ ...outcome, endedAt: Date.now() }) }).body;
    },
    releaseUnused: async () => {},
  };
}

/** An admission as if the account had no limits at all. */
const unlimited = (characters: number, keyId: string) => {
  const bucket = { limit: Number.MAX_SAFE_INTEGER, remaining: Number.MAX_SAFE_INTEGER, resetSeconds: 0 };
  return { ok: true as const, key_id: keyId, reserved: characters, lease_expires_ms: Number.MAX_SAFE_INTEGER, balance: Number.MAX_SAFE_INTEGER, requests: bucket, characters: bucket, streams: { limit: Number.MAX_SAFE_INTEGER, active: 0 } };
};

export const admitSpeech: typeof Limits.admitSpeech = async (_c, { caller, characters, clientSignal }) => ({
  ticket: unlimitedTicket(characters, clientSignal),
  admission: unlimited(characters, caller.keyId ?? ''),
});

export const speechLimits: typeof Limits.speechLimits = (measure: (c: Context<AppEnv>) => Promise<{ characters: number }>) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { characters } = await measure(c);
    const ticket = unlimitedTicket(characters, c.req.raw.signal);
    c.set('speechTicket', ticket);
    c.set('admissionMs', 0);
    c.set('speechAdmission', Promise.resolve({ ticket, admission: unlimited(characters, c.get('caller').keyId ?? '') }));
    await next();
  });

export const speechAdmitted: typeof Limits.speechAdmitted = async (c) => c.get('speechTicket');

// The stub's exports against the real module's: a missing, extra or differently typed one fails here.
({ ADMISSION_ERRORS, LIMIT_HEADERS, limitHeaders, refusalError, admitSpeech, speechLimits, speechAdmitted }) satisfies typeof Limits;
