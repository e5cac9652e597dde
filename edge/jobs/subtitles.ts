/**
 * Subtitles of a job's audio, WebVTT and SRT, from its words with times on the whole file's clock
 * and its text. Cues hold whole words, and a cue's text is the text between its first and last
 * word as written, punctuation kept. A cue ends at a sentence's end, and before a word that would
 * make it longer than two lines of 42 characters or longer than 7 seconds (the usual limits of
 * broadcast and streaming subtitles).
 *
 * Written here rather than with a library: the one part a library would do is writing cues out,
 * a few lines per format. `subtitle` (the best known) is built on Node streams, which workerd runs
 * only with nodejs_compat, which the edge does not enable; the others are parsers or little used.
 */
import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';

export type SubtitleFormat = 'vtt' | 'srt';
export const SUBTITLE_CONTENT_TYPES: Record<SubtitleFormat, string> = { vtt: 'text/vtt; charset=utf-8', srt: 'application/x-subrip; charset=utf-8' };

/** A cue has at most two lines. */
export interface CueLimits {
  /** Characters in a line (Unicode code points). */
  lineChars: number;
  /** From the cue's first word's start to its last word's end. */
  durationMs: number;
}
export const DEFAULT_CUE_LIMITS: CueLimits = { lineChars: 42, durationMs: 7_000 };

export interface SubtitleCue {
  start_ms: number;
  end_ms: number;
  lines: string[];
}

type Word = Pick<WordTimestamp, 'start_ms' | 'end_ms' | 'char_start' | 'char_end'>;

/** The punctuation that ends a sentence, in the text between two words; or a paragraph break. */
const SENTENCE_END = /[.!?…。！？]|\n\s*\n/;

/**
 * The cue's text as one line if it fits in `lineChars`, else as two at the break that makes the
 * longer line shortest; null when two lines cannot hold it. (Code points, not UTF-16 units.)
 */
export function layoutLines(text: string, lineChars: number): string[] | null {
  const width = (line: string) => [...line].length;
  if (width(text) <= lineChars) return [text];
  const words = text.split(' ');
  let best: string[] | null = null;
  let bestWidth = Infinity;
  for (let i = 1; i < words.length; i++) {
    const lines = [words.slice(0, i).join(' '), words.slice(i).join(' ')];
    const widest = Math.max(...lines.map(width));
    if (widest <= lineChars && widest < bestWidth) [best, bestWidth] = [lines, widest];
  }
  return best;
}

/**
 * The cues of `words` (in the order spoken; char offsets in code points, as WordTimestamp has
 * them) over `text`, the whole input.
 */
export function subtitleCues(words: readonly Word[], text: string, limits: CueLimits = DEFAULT_CUE_LIMITS): SubtitleCue[] {
  const chars = [...text];
  const slice = (from: number, to: number) => chars.slice(from, to).join('');
  // Each word's span in the text with the punctuation that touches it: `"Hello,` for Hello.
  const spans = words.map((word, i) => {
    const previousEnd = i === 0 ? 0 : words[i - 1]!.char_end;
    const nextStart = i + 1 < words.length ? words[i + 1]!.char_start : chars.length;
    let start = word.char_start;
    while (start > previousEnd && !/\s/.test(chars[start - 1]!)) start--;
    let end = word.char_end;
    while (end < nextStart && !/\s/.test(chars[end]!)) end++;
    return { start, end };
  });
  const endsSentence = (i: number) => {
    const nextStart = i + 1 < words.length ? words[i + 1]!.char_start : chars.length;
    return SENTENCE_END.test(slice(words[i]!.char_end, nextStart));
  };
  const cueText = (first: number, last: number) => slice(spans[first]!.start, spans[last]!.end).replace(/\s+/g, ' ').trim();

  const cues: SubtitleCue[] = [];
  let first = 0;
  const close = (last: number) => {
    const text = cueText(first, last);
    // A single word too long for a line stays whole, on one.
    const lines = layoutLines(text, limits.lineChars) ?? [text];
    cues.push({ start_ms: words[first]!.start_ms, end_ms: Math.max(words[last]!.end_ms, words[first]!.start_ms), lines });
    first = last + 1;
  };
  for (let i = 1; i <= words.length; i++) {
    if (i === words.length) close(i - 1);
    else if (endsSentence(i - 1) || layoutLines(cueText(first, i), limits.lineChars) === null || words[i]!.end_ms - words[first]!.start_ms > limits.durationMs) close(i - 1);
  }
  return words.length === 0 ? [] : cues;
}

const pad = (value: number, digits = 2) => String(value).padStart(digits, '0');
/** `HH:MM:SS<separator>mmm`, hours as many digits as they need beyond two. */
export function subtitleTime(ms: number, separator: '.' | ','): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1_000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}${separator}${pad(total % 1_000, 3)}`;
}

/** WebVTT: cue text escapes `&`, `<` and `>`, which would otherwise start an entity or a tag (and `-->` with them). */
export function toWebVtt(cues: readonly SubtitleCue[]): string {
  const escape = (line: string) => line.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const blocks = cues.map((cue) => `${subtitleTime(cue.start_ms, '.')} --> ${subtitleTime(cue.end_ms, '.')}\n${cue.lines.map(escape).join('\n')}\n`);
  return ['WEBVTT\n', ...blocks].join('\n');
}

/** SRT: numbered cues. It has no escapes; a `-->` in the text, which a reader would take for a timing line, is shortened. */
export function toSrt(cues: readonly SubtitleCue[]): string {
  return cues
    .map((cue, i) => `${i + 1}\n${subtitleTime(cue.start_ms, ',')} --> ${subtitleTime(cue.end_ms, ',')}\n${cue.lines.map((line) => line.replaceAll('-->', '->')).join('\n')}\n`)
    .join('\n');
}

/** The subtitles of a job, as `GET /v1/audio/jobs/{id}/subtitles?format=` answers them. */
export function subtitles(words: readonly Word[], text: string, format: SubtitleFormat, limits: CueLimits = DEFAULT_CUE_LIMITS): string {
  const cues = subtitleCues(words, text, limits);
  return format === 'vtt' ? toWebVtt(cues) : toSrt(cues);
}
