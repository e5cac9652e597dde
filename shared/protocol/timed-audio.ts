import { z } from 'zod';

/**
 * Audio with word timestamps, as a worker streams it when the edge asks for `timestamps`: the
 * encoded audio bytes as they are made, interleaved with the words spoken in them, in frames
 * the edge can split apart as they arrive. Without `timestamps` a worker answers plain audio.
 *
 * A frame is one kind byte, the payload's length (uint32, big-endian), then the payload:
 * - `audio`: encoded bytes of the requested format, exactly what a plain response would carry;
 * - `words`: JSON `WordTimestamp[]`, each word sent once its start is known (before or with the
 *   audio that holds it), in input order;
 * - `end`: JSON `TimedAudioEnd`, the last frame of a whole stream.
 *
 * A resumed stream (`resume_at_byte`) skips audio bytes only: its words start again from the
 * first, and the reader drops those it already has (their `char_start` is not past the last).
 */
export const TIMED_AUDIO_CONTENT_TYPE = 'application/vnd.open-tts.timed-audio';

/** A word of the input and when it is heard. */
export const WordTimestampSchema = z.object({
  word: z.string(),
  /** Where it is in the input, in Unicode code points (characters, as billing counts them): [start, end). */
  char_start: z.number().int().nonnegative(),
  char_end: z.number().int().nonnegative(),
  /** From the start of the stream's audio, ms. */
  start_ms: z.number().nonnegative(),
  end_ms: z.number().nonnegative(),
});
export type WordTimestamp = z.infer<typeof WordTimestampSchema>;

export const TimedAudioEndSchema = z.object({
  /** The stream's whole audio, ms (from the samples, so exact for every format). */
  audio_ms: z.number().nonnegative(),
  /** How the engine's times were made: read from the engine (`exact`) or inferred (`estimated`). */
  alignment: z.enum(['exact', 'estimated']),
});
export type TimedAudioEnd = z.infer<typeof TimedAudioEndSchema>;

const FRAME_KINDS = { audio: 1, words: 2, end: 3 } as const;
const HEADER_BYTES = 5;

export type TimedAudioEvent =
  | { kind: 'audio'; bytes: Uint8Array }
  | { kind: 'words'; words: WordTimestamp[] }
  | { kind: 'end'; end: TimedAudioEnd };

function frame(kind: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.byteLength);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, payload.byteLength);
  out.set(payload, HEADER_BYTES);
  return out;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

export const encodeTimedAudio = {
  audio: (bytes: Uint8Array) => frame(FRAME_KINDS.audio, bytes),
  words: (words: WordTimestamp[]) => frame(FRAME_KINDS.words, json(words)),
  end: (end: TimedAudioEnd) => frame(FRAME_KINDS.end, json(end)),
};

function decodeFrame(kind: number, payload: Uint8Array): TimedAudioEvent {
  switch (kind) {
    case FRAME_KINDS.audio:
      return { kind: 'audio', bytes: payload };
    case FRAME_KINDS.words:
      return { kind: 'words', words: z.array(WordTimestampSchema).parse(JSON.parse(new TextDecoder().decode(payload))) };
    case FRAME_KINDS.end:
      return { kind: 'end', end: TimedAudioEndSchema.parse(JSON.parse(new TextDecoder().decode(payload))) };
    default:
      throw new Error(`timed audio: unknown frame kind ${kind}`);
  }
}

/** Splits bytes as they arrive (frames may be cut anywhere) into whole frames' events. */
export class TimedAudioReader {
  private pending = new Uint8Array(0);

  push(bytes: Uint8Array): TimedAudioEvent[] {
    const data = this.pending.byteLength === 0 ? bytes : concat(this.pending, bytes);
    const events: TimedAudioEvent[] = [];
    let at = 0;
    while (data.byteLength - at >= HEADER_BYTES) {
      const length = new DataView(data.buffer, data.byteOffset + at + 1, 4).getUint32(0);
      if (data.byteLength - at - HEADER_BYTES < length) break;
      events.push(decodeFrame(data[at]!, data.slice(at + HEADER_BYTES, at + HEADER_BYTES + length)));
      at += HEADER_BYTES + length;
    }
    this.pending = data.slice(at);
    return events;
  }

  /** True when the stream stopped between frames (a cut mid-frame leaves bytes pending). */
  get atFrameBoundary(): boolean {
    return this.pending.byteLength === 0;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** A timed-audio body as events; a body cut short (mid-frame, or before its end frame) errors. */
export function readTimedAudio(body: ReadableStream<Uint8Array>): ReadableStream<TimedAudioEvent> {
  const reader = new TimedAudioReader();
  let ended = false;
  return body.pipeThrough(
    new TransformStream<Uint8Array, TimedAudioEvent>({
      transform(bytes, controller) {
        for (const event of reader.push(bytes)) {
          ended ||= event.kind === 'end';
          controller.enqueue(event);
        }
      },
      flush() {
        if (!reader.atFrameBoundary) throw new Error('timed audio: the stream ended inside a frame');
        // A connection cut between frames can look like a clean end: only the end frame says it is whole.
        if (!ended) throw new Error('timed audio: the stream ended without its end frame');
      },
    }),
  );
}

/**
 * Drops words a resumed stream repeats (the next worker starts its words again from the first):
 * a word whose `char_start` is not past the last one passed on is already with the reader.
 */
export function dropRepeatedWords(): TransformStream<TimedAudioEvent, TimedAudioEvent> {
  let last = -1;
  return new TransformStream({
    transform(event, controller) {
      if (event.kind !== 'words') return controller.enqueue(event);
      const fresh = event.words.filter((word) => word.char_start > last);
      if (fresh.length === 0) return;
      last = fresh.at(-1)!.char_start;
      controller.enqueue({ kind: 'words', words: fresh });
    },
  });
}
