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
  /**
   * Audio that reached a player after Stop. Messages the server sent before it read the cancel
   * still arrive after Stop; they are dropped, so this stays 0.
   */
  playedAfterStop: number;
  /** Audio messages for the stopped context after the server's `done` for it: the server sends none. */
  audioAfterDone: number;
  /** The last context's `done` reason. */
  done: string | null;
}

/**
 * `window.playground.job`: the job the Jobs panel shows, in `performance.now()` ms (null until it
 * happened). Tests read it to see that the audio played before the job completed.
 */
export interface JobTimings {
  id: string;
  status: string;
  /** The panel's <audio> first fired `playing`. */
  playingAt: number | null;
  /** The events stream said `completed`, `failed` or `cancelled`. */
  finishedAt: number | null;
  /** Bytes of the finished file behind the Download link. */
  downloadBytes: number | null;
}
