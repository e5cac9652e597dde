import { encodeTimedAudio, type TimedAudioEvent } from '../../shared/protocol/timed-audio.ts';
import { type ChunkSource, sourceOf, streamOf } from '../http/chunk-source.ts';

/** The most a rendering may hold to be stored (a longer one streams as ever, and is not kept). */
export const MAX_CACHED_BYTES = 32 * 1024 * 1024;

/**
 * Passes a stream on unchanged, as the client reads it, keeping a copy of what passes; `onWhole`
 * gets the copy once the stream has ended normally. A stream that fails, is cancelled (the client
 * went away) or outgrows MAX_CACHED_BYTES leaves nothing: only a whole rendering is stored.
 */
function recordBehind<T>(stream: ReadableStream<T>, copy: (piece: T) => Uint8Array | null, isWhole: () => boolean, onWhole: (bytes: Uint8Array) => void): ReadableStream<T> {
  const source = sourceOf(stream);
  let kept: Uint8Array[] | null = [];
  let size = 0;
  const recorded: ChunkSource<T> = {
    async read() {
      const chunk = await source.read(); // a failure ends the copy with the stream
      if (chunk.done) {
        if (kept && isWhole()) onWhole(concat(kept, size));
        kept = null;
        return chunk;
      }
      const bytes = kept && copy(chunk.value);
      if (kept && bytes) {
        size += bytes.byteLength;
        if (size > MAX_CACHED_BYTES) kept = null;
        else kept.push(bytes.slice());
      }
      return chunk;
    },
    async cancel(reason) {
      kept = null;
      await source.cancel(reason);
    },
  };
  return streamOf(recorded);
}

/** Plain audio: the bytes as they pass. */
export function recordAudio(audio: ReadableStream<Uint8Array>, onWhole: (bytes: Uint8Array) => void): ReadableStream<Uint8Array> {
  return recordBehind(audio, (bytes) => bytes, () => true, onWhole);
}

/**
 * Timed audio: the events as they pass, framed again as a worker sends them, so a hit replays the
 * same audio chunks with the same words before them. Whole means its `end` came: a stream that
 * ends without one (a worker gone, no other to finish) is not stored.
 */
export function recordTimedAudio(events: ReadableStream<TimedAudioEvent>, onWhole: (frames: Uint8Array) => void): ReadableStream<TimedAudioEvent> {
  let ended = false;
  const frame = (event: TimedAudioEvent) => {
    if (event.kind === 'end') ended = true;
    return event.kind === 'audio' ? encodeTimedAudio.audio(event.bytes) : event.kind === 'words' ? encodeTimedAudio.words(event.words) : encodeTimedAudio.end(event.end);
  };
  return recordBehind(events, frame, () => ended, onWhole);
}

function concat(pieces: Uint8Array[], size: number): Uint8Array {
  const whole = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    whole.set(piece, at);
    at += piece.byteLength;
  }
  return whole;
}
