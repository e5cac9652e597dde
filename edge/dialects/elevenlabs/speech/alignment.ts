import type { WordTimestamp } from '../../../../shared/protocol/timed-audio.ts';

/**
 * ElevenLabs' character alignment built from our word timestamps. ElevenLabs times every
 * character of the text; we time words (exactly on espeak), so a word's characters share its
 * span evenly, and the characters between words (spaces, punctuation, a word the engine voiced
 * with its neighbour and so did not time) share the gap between the words around them. The
 * characters, joined, are the text; starts never decrease; each end is at or after its start.
 */
export interface CharacterAlignment {
  characters: string[];
  character_start_times_seconds: number[];
  character_end_times_seconds: number[];
}

/** Seconds as ElevenLabs writes them: to the millisecond. */
const seconds = (ms: number) => Math.round(ms) / 1000;

/**
 * Gives out the text's characters with their times as the words arrive, for a stream that sends
 * each audio chunk with the characters whose words start in it: `take` the words of a chunk,
 * then `finish` with the audio's length for what follows the last word.
 */
export class CharacterAligner {
  private readonly characters: string[];
  /** The first character not given out yet. */
  private next = 0;
  /** Where the last word taken ends, ms: the characters after it start from there. */
  private lastWordEndMs = 0;
  /** The latest start given out, ms, which no later start goes below. */
  private lastStartMs = 0;

  constructor(text: string) {
    // Code points, as our words' char_start and char_end count them.
    this.characters = [...text];
  }

  /** More text after what it has, as a socket's context receives it piece by piece. */
  append(text: string): void {
    this.characters.push(...text);
  }

  /** The characters up to the end of the last of `words`: each word's, and those before it. */
  take(words: readonly WordTimestamp[]): CharacterAlignment {
    const out = emptyAlignment();
    for (const word of words) {
      if (word.char_end <= this.next) continue;
      const gapEndMs = Math.max(this.lastWordEndMs, word.start_ms);
      this.spread(out, Math.max(word.char_start, this.next), this.lastWordEndMs, gapEndMs);
      this.spread(out, word.char_end, word.start_ms, word.end_ms);
      this.lastWordEndMs = Math.max(this.lastWordEndMs, word.end_ms);
    }
    return out;
  }

  /** The characters after the last word, up to the audio's end (`audioMs`); then none are left. */
  finish(audioMs: number): CharacterAlignment {
    const out = emptyAlignment();
    this.spread(out, this.characters.length, this.lastWordEndMs, Math.max(this.lastWordEndMs, audioMs));
    return out;
  }

  /** Gives out the characters from `next` up to `until`, sharing [fromMs, toMs] evenly. */
  private spread(out: CharacterAlignment, until: number, fromMs: number, toMs: number): void {
    const count = until - this.next;
    for (let i = 0; i < count; i++) {
      const start = Math.max(this.lastStartMs, fromMs + ((toMs - fromMs) * i) / count);
      const end = Math.max(start, fromMs + ((toMs - fromMs) * (i + 1)) / count);
      out.characters.push(this.characters[this.next + i]!);
      out.character_start_times_seconds.push(seconds(start));
      out.character_end_times_seconds.push(seconds(end));
      this.lastStartMs = start;
    }
    this.next = Math.max(this.next, until);
  }
}

const emptyAlignment = (): CharacterAlignment => ({ characters: [], character_start_times_seconds: [], character_end_times_seconds: [] });

/** Alignments of consecutive characters as one. */
export function joinAlignments(parts: readonly CharacterAlignment[]): CharacterAlignment {
  return {
    characters: parts.flatMap((part) => part.characters),
    character_start_times_seconds: parts.flatMap((part) => part.character_start_times_seconds),
    character_end_times_seconds: parts.flatMap((part) => part.character_end_times_seconds),
  };
}

/** The whole text's alignment from all of its words and the audio's length, ms. */
export function characterAlignment(text: string, words: readonly WordTimestamp[], audioMs: number): CharacterAlignment {
  const aligner = new CharacterAligner(text);
  return joinAlignments([aligner.take(words), aligner.finish(audioMs)]);
}
