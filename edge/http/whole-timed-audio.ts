import type { TimedAudioEnd, TimedAudioEvent, WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import { splitTimedAudio } from './timed-audio-split.ts';

/** A timed-audio stream read to its end: all of its audio, its words, and the worker's end frame. */
export interface WholeTimedAudio {
  audio: Uint8Array;
  words: WordTimestamp[];
  end: TimedAudioEnd;
}

/**
 * Reads a worker's timed audio to the end, for an answer that needs all of it before it says
 * anything. Null when the stream failed (after the pool's failover) or ended without its end
 * frame: the audio is then not whole.
 */
export async function readWholeTimedAudio(events: ReadableStream<TimedAudioEvent>): Promise<WholeTimedAudio | null> {
  const split = splitTimedAudio(events);
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of split.audio) chunks.push(chunk);
  } catch {
    return null;
  }
  const end = split.end();
  if (!end) return null;
  const audio = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    audio.set(chunk, at);
    at += chunk.byteLength;
  }
  return { audio, words: split.takeWords(), end };
}
