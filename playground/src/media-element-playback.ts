/**
 * Plays a URL (a MediaSource's or a downloaded file's) on the page's media element. `finished`
 * resolves when it ended, failed or was stopped; the element is then free for the next one.
 */
export interface ElementPlayback {
  finished: Promise<void>;
  stop(): void;
}

export function playOnElement(element: HTMLAudioElement, url: string, onFirstAudio: () => void): ElementPlayback {
  const listeners = new AbortController();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve)).then(() => {
    listeners.abort();
    URL.revokeObjectURL(url);
  });
  const { signal } = listeners;
  element.addEventListener('playing', onFirstAudio, { once: true, signal });
  element.addEventListener('ended', () => finish(), { signal });
  element.addEventListener('error', () => finish(), { signal });
  element.src = url;
  // Rejected when stopped before it could start, or by an autoplay policy: the page says "Stopped" or nothing plays.
  element.play().catch(() => {});
  return {
    finished,
    stop() {
      element.pause();
      element.removeAttribute('src');
      element.load();
      finish();
    },
  };
}
