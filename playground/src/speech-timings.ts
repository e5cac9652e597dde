/**
 * `window.playground.lastSpeech`: when each step of the latest Speak happened, in
 * `performance.now()` milliseconds (null until known). Tests read it; so can a person debugging.
 */
export interface SpeechTimings {
  requestSentAt: number | null;
  firstChunkAt: number | null;
  /** The first audio was scheduled (Web Audio) or the media element started `playing`. */
  playbackStartedAt: number | null;
  responseEndedAt: number | null;
  bytes: number;
  format: string;
  /** The HTTP status of the answer. */
  status: number | null;
}

declare global {
  interface Window {
    playground: { lastSpeech: SpeechTimings | null };
  }
}

window.playground = { lastSpeech: null };

export function beginSpeech(format: string): SpeechTimings {
  const timings: SpeechTimings = { requestSentAt: null, firstChunkAt: null, playbackStartedAt: null, responseEndedAt: null, bytes: 0, format, status: null };
  window.playground.lastSpeech = timings;
  return timings;
}
