import type { Chunking } from '../../shared/schemas/realtime.ts';

// Sentence ends: . ! ? … followed by a space (or closing quotes first), and CJK full stops anywhere.
const SENTENCE_END = /(?:[.!?…]+["'”’)\]]*\s)|[。！？]+|\n/gu;
const CLAUSE_END = /(?:[,;:]+\s)|[、，；：]|\s[—–]\s/gu;
// At the very end of the text so far, a stop is taken as a sentence's end at once; a full stop that
// could be an abbreviation or a number going on ("Dr." "e.g." "3.") is not, there or mid-text.
const TRAILING_END = /[.!?…]+["'”’)\]]*$/u;
// A word at the end of the text, in a script that puts spaces between words, may be unfinished.
const WORD_BEING_WRITTEN = /[\p{sc=Latin}\p{sc=Cyrillic}\p{sc=Greek}\p{sc=Arabic}\p{sc=Hangul}\p{M}\p{N}'’-]+$/u;
const NOT_AN_END = /(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|vs|etc|e\.g|i\.e|No)|\b\p{L}|\d)\.$/iu;

/**
 * A context's text as it arrives, cut into the pieces that are synthesized: at a sentence (or
 * clause) boundary as soon as one is seen, at a space once the text is `max_characters` long,
 * and everything on `flush`. The caller runs the `max_delay_ms` timer (see `waitingSince`).
 */
export class TextChunker {
  private buffer = '';
  private since: number | null = null;
  private readonly chunking: Chunking;

  constructor(chunking: Chunking) {
    this.chunking = chunking;
  }

  /**
   * Adds text; returns the pieces that are ready. A piece may be whitespace alone (a blank line
   * after a sentence): the caller speaks none of it but counts its characters, so that offsets
   * into the context's text stay true.
   */
  push(text: string, now: number): string[] {
    if (text.length === 0) return [];
    this.since ??= now;
    this.buffer += text;
    const ready: string[] = [];
    for (let cut = this.nextCut(); cut > 0; cut = this.nextCut()) ready.push(this.take(cut, now));
    return ready;
  }

  /** Everything buffered, boundary or not, whitespace alone too ('' when nothing is). */
  flush(): string {
    const rest = this.buffer;
    this.buffer = '';
    this.since = null;
    return rest;
  }

  /**
   * What has waited `max_delay_ms` without a boundary: all but a word still being written at its
   * end, which stays for the next piece (Chinese and Japanese have no such words: all of it).
   */
  takeOverdue(now: number): string {
    const partial = WORD_BEING_WRITTEN.exec(this.buffer)?.[0].length ?? 0;
    if (partial === 0) return this.flush();
    if (this.buffer.slice(0, -partial).trim().length === 0) {
      this.since = now; // only the word being written: it waits on
      return '';
    }
    return this.take(this.buffer.length - partial, now);
  }

  /** Drops what is buffered (a cancel). */
  clear(): void {
    this.buffer = '';
    this.since = null;
  }

  /** When the oldest buffered text arrived, or null when nothing waits. */
  get waitingSince(): number | null {
    return this.since;
  }

  private take(cut: number, now: number): string {
    const piece = this.buffer.slice(0, cut);
    this.buffer = this.buffer.slice(cut);
    this.since = this.buffer.trim().length > 0 ? now : null;
    return piece;
  }

  /** Where the first ready piece ends (0: none is ready). */
  private nextCut(): number {
    const text = this.buffer;
    const boundary = this.firstBoundary(text);
    if (boundary > 0) return boundary;
    if ([...text].length < this.chunking.max_characters) return 0;
    // Too long without a boundary: cut at the last space before the limit, or at the limit.
    const limit = [...text].slice(0, this.chunking.max_characters).join('').length;
    const space = text.lastIndexOf(' ', limit);
    return space > 0 ? space + 1 : limit;
  }

  private firstBoundary(text: string): number {
    const patterns = this.chunking.boundary === 'clause' ? [SENTENCE_END, CLAUSE_END] : [SENTENCE_END];
    let first = 0;
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const end = match.index + match[0].length;
        if (first > 0 && end >= first) break;
        if (pattern === SENTENCE_END && couldGoOn(text.slice(0, match.index + 1))) continue;
        first = end;
        break;
      }
    }
    if (first > 0) return first;
    const trailing = TRAILING_END.exec(text);
    if (trailing && !couldGoOn(text.slice(0, trailing.index + 1))) return text.length;
    return 0;
  }
}

/** A full stop after an abbreviation, an initial or a digit may not end the sentence. */
const couldGoOn = (upToStop: string) => upToStop.endsWith('.') && NOT_AN_END.test(upToStop);
