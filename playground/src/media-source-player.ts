import { playOnElement } from './media-element-playback.ts';
import type { StreamPlayer } from './player.ts';

/** Media Source Extensions: chunks are appended to a SourceBuffer as they arrive, and play as soon as they decode. */
export function mediaSourcePlayer(element: HTMLAudioElement, contentType: string, onFirstAudio: () => void): StreamPlayer {
  const mediaSource = new MediaSource();
  const pending: Uint8Array<ArrayBuffer>[] = [];
  let buffer: SourceBuffer | undefined;
  let ended = false;
  let stopped = false;

  /** One append at a time: a SourceBuffer takes the next only after `updateend`. */
  const pump = () => {
    if (!buffer || buffer.updating || stopped || mediaSource.readyState !== 'open') return;
    const next = pending.shift();
    if (next) buffer.appendBuffer(next);
    else if (ended) mediaSource.endOfStream();
  };
  mediaSource.addEventListener(
    'sourceopen',
    () => {
      buffer = mediaSource.addSourceBuffer(contentType);
      buffer.mode = 'sequence'; // a stream of frames without timestamps (mp3, ADTS)
      buffer.addEventListener('updateend', pump);
      pump();
    },
    { once: true },
  );
  const playback = playOnElement(element, URL.createObjectURL(mediaSource), onFirstAudio);

  return {
    push(chunk) {
      pending.push(chunk);
      pump();
    },
    end() {
      ended = true;
      pump();
      return playback.finished;
    },
    stop() {
      stopped = true;
      playback.stop();
    },
  };
}
