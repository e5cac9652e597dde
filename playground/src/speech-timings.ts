import type { JobTimings, LiveTimings, SpeechTimings } from './page-instrumentation.ts';

declare global {
  interface Window {
    playground: { lastSpeech: SpeechTimings | null; live: LiveTimings | null; job: JobTimings | null };
  }
}

window.playground = { lastSpeech: null, live: null, job: null };

export function beginSpeech(format: string): SpeechTimings {
  const timings: SpeechTimings = { requestSentAt: null, firstChunkAt: null, playbackStartedAt: null, responseEndedAt: null, bytes: 0, format, status: null };
  window.playground.lastSpeech = timings;
  return timings;
}

export function beginLive(): LiveTimings {
  const timings: LiveTimings = { firstTextAt: null, firstAudioAt: null, audioMessages: 0, words: 0, stoppedAt: null, playedAfterStop: 0, audioAfterDone: 0, done: null };
  window.playground.live = timings;
  return timings;
}

export function beginJob(id: string, status: string): JobTimings {
  const timings: JobTimings = { id, status, playingAt: null, finishedAt: null, downloadBytes: null };
  window.playground.job = timings;
  return timings;
}
