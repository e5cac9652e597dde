import type { SpeechTimings } from './page-instrumentation.ts';

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
