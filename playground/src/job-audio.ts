import { FORMATS } from '../../shared/audio/formats.ts';
import { apiFetch } from './api.ts';
import type { JobFormat } from './api-types.ts';
import { mediaSourcePlayer } from './media-source-player.ts';

/**
 * A job's audio on the Jobs panel's <audio> while it renders. An <audio src> cannot send the key,
 * so `GET /v1/audio/jobs/{id}/audio` is fetched (for a running job the edge holds it open and
 * sends each chunk as it is stored) and fed through Media Source Extensions. Chromium's MSE takes
 * audio/mpeg (mp3), and audio/aac where it is built with AAC; not Ogg (opus) nor WAV: those play
 * from the finished file (the panel says so).
 */
export const playsWhileRendering = (format: JobFormat) => typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(FORMATS[format].contentType);

export interface JobAudioPlayback {
  stop(): void;
}

/** Plays the job's file from its first byte as it renders; the stream's end (or break) ends the feed. */
export function playWhileRendering(id: string, format: JobFormat, element: HTMLAudioElement, onPlaying: () => void): JobAudioPlayback {
  const aborter = new AbortController();
  const player = mediaSourcePlayer(element, FORMATS[format].contentType, onPlaying);
  void (async () => {
    try {
      const response = await apiFetch(`/v1/audio/jobs/${encodeURIComponent(id)}/audio`, { signal: aborter.signal });
      const reader = response.body!.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) player.push(read.value as Uint8Array<ArrayBuffer>);
      await player.end();
    } catch {
      // Stopped, or the job failed or was cancelled (the edge breaks the stream off): what was
      // appended keeps playing until the events say how the job ended.
    }
  })();
  return {
    stop() {
      aborter.abort();
      player.stop();
    },
  };
}
