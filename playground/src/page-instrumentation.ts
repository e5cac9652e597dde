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
