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

/**
 * `window.playground.live`: what the Live panel's socket did, in `performance.now()` ms (null
 * until it happened). Tests read it to time first audio and to see that Stop stopped the audio.
 */
export interface LiveTimings {
  firstTextAt: number | null;
  firstAudioAt: number | null;
  audioMessages: number;
  words: number;
  stoppedAt: number | null;
  /** Audio messages that arrived for the stopped context after Stop. */
  audioAfterStop: number;
  /** The last context's `done` reason. */
  done: string | null;
}
