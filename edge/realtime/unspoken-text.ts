import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';

/**
 * What of a chunk's text was not heard when its stream broke after `heardMs` of audio, from the
 * words that started in that audio: from the word that was cut off, or else the word after the
 * last one heard. With no word to go by, all of it (better twice than never). `skipped`: code
 * points of the chunk before the returned text.
 */
export function unspokenText(text: string, heard: readonly WordTimestamp[], heardMs: number): { text: string; skipped: number } {
  const points = [...text];
  const cut = heard.find((word) => word.end_ms > heardMs);
  const from = cut ? cut.char_start : (heard.at(-1)?.char_end ?? 0);
  return { text: points.slice(from).join(''), skipped: from };
}
