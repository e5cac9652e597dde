import { concatSamples } from '../../../shared/audio/pcm.ts';
import type { CharSpan } from '../../text/words.ts';
import type { EngineChunk, EngineWord } from '../types.ts';
import type { EspeakWordEvent } from './protocol.ts';

/** A 10 ms window at or above this RMS (−46 dBFS) is voiced: espeak's pauses hold fainter noise. */
const VOICED_RMS = 0.005;
const WINDOW_SECONDS = 0.01;

/**
 * One sentence's audio cut into chunks that each begin where a word begins, each carrying that
 * word. espeak says where a word starts but not where it stops: the end is the end of the word's
 * last voiced window before the next word's start (or the sentence's end), so its audio is held
 * until then.
 *
 * espeak gives no event for some unstressed words ("the" in "that the worker"): a word of the
 * text between two events shares the earlier event's span with it, split by their lengths.
 */
export class WordChunker {
  private readonly chars: number;
  private readonly base: number;
  private readonly sampleRate: number;
  private readonly window: number;
  private windowEnergy = 0;
  private held: Float32Array[] = [];
  /** Samples of the sentence taken in so far, and the end of the last voiced window. */
  private position = 0;
  private voicedEnd = 0;
  private pending: { charStart: number; charEnd: number; start: number } | undefined;
  private readonly textWords: readonly CharSpan[];

  /**
   * `chars`, `base`: where the sentence starts in the request's text (code points) and audio
   * (samples); `textWords`: the sentence's words, in the request's code points.
   */
  constructor(chars: number, base: number, sampleRate: number, textWords: readonly CharSpan[] = []) {
    this.chars = chars;
    this.textWords = textWords;
    this.base = base;
    this.sampleRate = sampleRate;
    this.window = Math.round(sampleRate * WINDOW_SECONDS);
  }

  /** A block and the word events espeak gave with it; returns the chunks now complete. */
  push(samples: Float32Array, events: EspeakWordEvent[] = []): EngineChunk[] {
    const chunks: EngineChunk[] = [];
    const blockStart = this.position;
    let from = 0;
    for (const event of events) {
      const charStart = this.chars + event.textPosition;
      // espeak may say one written word as several (digits, CJK letters), or start an event inside
      // the word before ("it was" gives "it" and "t "): one word, its first start.
      const pending = this.pending;
      if (event.length === 0 || (pending && charStart >= pending.charStart && charStart < pending.charEnd)) continue;
      const at = Math.round((event.audioMs * this.sampleRate) / 1000) - blockStart;
      // A position before this block (espeak truncates to whole ms) starts the word with it.
      const cut = Math.min(Math.max(at, from), samples.length);
      this.take(samples.subarray(from, cut));
      from = cut;
      const chunk = this.flush(charStart);
      if (chunk) chunks.push(chunk);
      this.pending = { charStart, charEnd: charStart + event.length, start: this.position };
    }
    this.take(samples.subarray(from));
    return chunks;
  }

  /** The sentence is done: its last word ends with its last voiced sample. */
  end(): EngineChunk[] {
    const chunk = this.flush(Number.POSITIVE_INFINITY);
    return chunk ? [chunk] : [];
  }

  private take(part: Float32Array): void {
    for (const sample of part) {
      this.windowEnergy += sample * sample;
      // Windows count from the sentence's start, across blocks.
      if (++this.position % this.window === 0) {
        if (Math.sqrt(this.windowEnergy / this.window) >= VOICED_RMS) this.voicedEnd = this.position;
        this.windowEnergy = 0;
      }
    }
    this.held.push(part);
  }

  /** The audio held so far, with the pending word and the event-less words before `nextWordStart`. */
  private flush(nextWordStart: number): EngineChunk | undefined {
    // The window the cut falls in counts too: speech running into the next word leaves no gap.
    const partial = this.position % this.window;
    if (partial > 0 && Math.sqrt(this.windowEnergy / partial) >= VOICED_RMS) this.voicedEnd = this.position;
    const audio = concatSamples(this.held);
    this.held = [];
    const word = this.pending;
    this.pending = undefined;
    if (!word) return audio.length > 0 ? { audio } : undefined;
    const startSample = this.base + word.start;
    const endSample = this.base + Math.max(word.start, this.voicedEnd);
    const unheralded = this.textWords.filter((span) => span.start >= word.charEnd && span.start < nextWordStart);
    return { audio, words: shareSpan([{ start: word.charStart, end: word.charEnd }, ...unheralded], startSample, endSample) };
  }
}

/** Words that share one stretch of audio, each given a part of it as long as its share of the letters. */
function shareSpan(words: CharSpan[], startSample: number, endSample: number): EngineWord[] {
  const letters = words.reduce((sum, word) => sum + (word.end - word.start), 0);
  let at = startSample;
  return words.map((word, i) => {
    const end = i === words.length - 1 ? endSample : at + Math.round(((endSample - startSample) * (word.end - word.start)) / letters);
    const timed = { charStart: word.start, charEnd: word.end, startSample: at, endSample: end };
    at = end;
    return timed;
  });
}
