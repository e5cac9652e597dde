/**
 * Estimated word timings for Qwen3-TTS (docs/qwen3-tts.md, "Word timestamps"). The model gives no
 * alignment; what is known is the frame at which each text token entered generation (one per
 * step, streaming text input). A word is taken to start TEXT_LAG_FRAMES after its first token
 * entered, and to end where the next word starts; the last one where tts_eos entered, plus the lag.
 */
import { wordSpans } from '../../text/words.ts';
import type { EngineWord } from '../types.ts';

/**
 * Frames between a text token entering generation and its sound. Measured on the tiny pack
 * (word-timing.test.ts): the frame at which it samples codec EOS minus the frame at which
 * tts_eos entered is 0. That is the pipeline's own lag (one text row per step, a causal codec
 * with no look-ahead); a trained model's reading delay is not in it.
 */
export const TEXT_LAG_FRAMES = 0;

/** A word and its estimated frames: [startFrame, endFrame). */
export interface PlannedWord {
  charStart: number;
  charEnd: number;
  startFrame: number;
  endFrame: number;
}

/** Where each token starts in `text`, in code points: tokens count UTF-8 bytes of the NFC text. */
function tokenStarts(text: string, tokenBytes: number[]): number[] {
  const pointOfByte: number[] = [];
  let points = 0;
  for (const character of text.normalize('NFC')) {
    for (let i = Buffer.byteLength(character); i > 0; i--) pointOfByte.push(points);
    points++;
  }
  // NFC may merge characters; then positions are scaled back onto the input (approximate).
  const scale = [...text].length / Math.max(points, 1);
  let at = 0;
  return tokenBytes.map((bytes) => {
    const point = pointOfByte[at] ?? points;
    at += bytes;
    return Math.floor(point * scale);
  });
}

/**
 * `tokenBytes`: the text's tokens (TextTokenizer.tokenByteLengths); `entryFrames`: the frame each
 * of them, then tts_eos, entered at (Prompt.textEntryFrames).
 */
export function planWords(text: string, language: string, tokenBytes: number[], entryFrames: number[]): PlannedWord[] {
  const starts = tokenStarts(text, tokenBytes);
  const words: PlannedWord[] = [];
  let token = 0;
  for (const span of wordSpans(text, language)) {
    // The token holding the word's first character (its leading space, if any, comes with it).
    while (token + 1 < starts.length && starts[token + 1]! <= span.start) token++;
    const startFrame = entryFrames[token]! + TEXT_LAG_FRAMES;
    if (words.length > 0) words[words.length - 1]!.endFrame = startFrame;
    words.push({ charStart: span.start, charEnd: span.end, startFrame, endFrame: startFrame });
  }
  if (words.length > 0) words[words.length - 1]!.endFrame = entryFrames[entryFrames.length - 1]! + TEXT_LAG_FRAMES;
  return words;
}

/** Hands out planned words as generation reaches their start frame. */
export class WordSchedule {
  private readonly words: PlannedWord[];
  private readonly samplesPerFrame: number;
  private next = 0;

  constructor(words: PlannedWord[], samplesPerFrame: number) {
    this.words = words;
    this.samplesPerFrame = samplesPerFrame;
  }

  /** Words that start at or before `frame`, not handed out yet. */
  upTo(frame: number): EngineWord[] {
    return this.take((word) => word.startFrame <= frame, Infinity);
  }

  /** Generation ended after `frames` frames: the rest, none past the audio's end. */
  rest(frames: number): EngineWord[] {
    return this.take(() => true, frames);
  }

  private take(ready: (word: PlannedWord) => boolean, lastFrame: number): EngineWord[] {
    const out: EngineWord[] = [];
    for (; this.next < this.words.length && ready(this.words[this.next]!); this.next++) {
      const { charStart, charEnd, startFrame, endFrame } = this.words[this.next]!;
      const start = Math.min(startFrame, lastFrame);
      out.push({ charStart, charEnd, startSample: start * this.samplesPerFrame, endSample: Math.min(endFrame, lastFrame) * this.samplesPerFrame });
    }
    return out;
  }
}
