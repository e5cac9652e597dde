import { createMiddleware } from 'hono/factory';
import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import type { AppEnv } from '../env.ts';
import { meteredStream, type StreamOutcome } from '../http/metered-stream.ts';
import { readSpeechRequest } from '../speech/speech-request.ts';

/** How the audio stream ended, and when (ms since the epoch). */
export type AudioEnd = StreamOutcome & { endedAt: number };

/** What an admitted speech request is, for the request log and the analytics data point. */
export interface SpeechReport {
  characters: number;
  format: ResponseFormat;
  /** Set once the route starts streaming audio: the model speaking it, and the stream's end. */
  audio?: { model: string; ended: Promise<AudioEnd> };
}

/**
 * Sets `speechReport` for an admitted speech request. It goes right after `speechLimits` and
 * meters the worker's stream on its way into the ticket: the ticket keeps its own accounting to
 * itself, so the ticket's `meter` cannot tell anyone else how the stream ended.
 */
export const reportSpeech = createMiddleware<AppEnv>(async (c, next) => {
  const { characters, format } = await readSpeechRequest(c); // already read by speechLimits: cached
  const ticket = c.get('speechTicket');
  c.set('speechReport', { characters, format });
  c.set('speechTicket', {
    ...ticket,
    meter(upstream, usage) {
      let ended!: (end: AudioEnd) => void;
      const audio = { model: usage.model, ended: new Promise<AudioEnd>((resolve) => (ended = resolve)) };
      const tapped = meteredStream(upstream, {
        clientSignal: c.req.raw.signal,
        onEnd: (outcome) => ended({ ...outcome, endedAt: Date.now() }),
      });
      c.set('speechReport', { characters, format, audio });
      return ticket.meter(tapped.body, usage);
    },
  });
  await next();
});
