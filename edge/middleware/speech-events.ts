import { onRequestDone, type RequestSummary } from './request-summary.ts';

/**
 * One Analytics Engine data point per HTTP speech request (binding SPEECH_EVENTS): `POST
 * /v1/audio/speech`, `/with-timestamps` and the ElevenLabs dialect's text-to-speech routes. Fields are
 * positional: add new ones at the end, never reorder or reuse a position.
 *
 *   index1   account id ('' when no key was identified): the sampling key, so Analytics Engine
 *            samples each account on its own and a busy one cannot crowd out a quiet one
 *   blob1    model that spoke ('' when no audio)
 *   blob2    response format ('' when refused before admission)
 *   blob3    outcome: completed | client_closed | failed | no_audio
 *   blob4    request id (x-request-id), to find the request's log line
 *   blob5    audio cache: hit (served from the cache: a rendering saved) | miss | off ('' when no audio)
 *   double1  HTTP status
 *   double2  time to first byte, ms from the request's arrival (-1 when no audio)
 *   double3  characters of input (0 when refused before admission)
 *   double4  duration, ms from arrival to the end of the audio stream (or the response)
 *   double5  audio bytes sent
 */
export function speechDataPoint({ requestId, status, durationMs, accountId, speech }: RequestSummary): AnalyticsEngineDataPoint {
  return {
    indexes: [accountId ?? ''],
    blobs: [speech?.model ?? '', speech?.format ?? '', speech?.outcome ?? 'no_audio', requestId, speech?.cache ?? ''],
    doubles: [status, speech?.ttfbMs ?? -1, speech?.characters ?? 0, durationMs, speech?.bytes ?? 0],
  };
}

/**
 * Writes `speechDataPoint` when the request is over (when its audio stream ends, so the outcome
 * is known). Without the binding (a self-hosted edge without Analytics Engine) it writes nothing.
 */
export const speechEvents = onRequestDone((summary, c) => c.env.SPEECH_EVENTS?.writeDataPoint(speechDataPoint(summary)));
