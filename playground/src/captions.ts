import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';

/**
 * The words of what is spoken, shown as they arrive and lit as they are heard: each word's
 * `start_ms` on the context's clock, against the audio clock from when its first audio plays.
 */
export function captions(container: HTMLElement) {
  let words: Array<{ word: WordTimestamp; element: HTMLElement }> = [];
  let frame = 0;
  const stopFollowing = () => cancelAnimationFrame(frame);
  return {
    clear(): void {
      stopFollowing();
      words = [];
      container.replaceChildren();
    },
    add(timestamps: WordTimestamp[]): void {
      for (const word of timestamps) {
        const element = document.createElement('span');
        element.textContent = word.word;
        container.append(element, ' ');
        words.push({ word, element });
      }
    },
    /** Lights the word being heard: `now()` is ms since the context's audio began. */
    follow(now: () => number): void {
      stopFollowing();
      const tick = () => {
        const ms = now();
        for (const { word, element } of words) element.classList.toggle('heard', word.start_ms <= ms);
        frame = requestAnimationFrame(tick);
      };
      tick();
    },
    stop: stopFollowing,
    get count(): number {
      return words.length;
    },
  };
}
