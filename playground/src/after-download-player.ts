import { playOnElement, type ElementPlayback } from './media-element-playback.ts';
import type { StreamPlayer } from './player.ts';

/** For a format this browser cannot play while it streams: keeps the chunks, plays the whole file at the end. */
export function afterDownloadPlayer(element: HTMLAudioElement, contentType: string, onFirstAudio: () => void): StreamPlayer {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let playback: ElementPlayback | undefined;
  let stopped = false;
  return {
    push(chunk) {
      chunks.push(chunk);
    },
    async end() {
      if (stopped) return;
      playback = playOnElement(element, URL.createObjectURL(new Blob(chunks, { type: contentType })), onFirstAudio);
      await playback.finished;
    },
    stop() {
      stopped = true;
      playback?.stop();
    },
  };
}
