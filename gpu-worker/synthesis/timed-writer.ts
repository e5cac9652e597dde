import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { encodeTimedAudio, type TimedAudioEnd, type WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import type { EngineWord } from '../engines/types.ts';
import { write } from '../http/io.ts';

/**
 * Writes held back while the stream's listener has plenty of audio in hand: each write costs the
 * connection, the edge (a turn of its stream pipeline) and the client about the same whatever its
 * size, so a stream far ahead of playback sends its audio in fewer, larger writes. A stream that
 * is not ahead (its start, a reader at playback speed) writes each piece as it comes.
 */
export interface WriteBatching {
  /** True while the listener has enough audio in hand that more can wait. */
  ahead: () => boolean;
  /** Held bytes go out once there are this many. */
  maxBytes: number;
}

/**
 * The response body: encoded audio written with backpressure, minus the first `skip` audio bytes
 * (what a resumed stream's client already has from the worker that died). With `timed`, framed
 * as shared/protocol/timed-audio.ts: the same audio bytes in audio frames, words and the end
 * between them; without, words and end write nothing, so the body is plain audio. Bytes made
 * before `open` (a container header, say) wait for the status line and headers.
 */
export function bodyWriter(res: ServerResponse, options: { skip: number; timed: boolean; batch?: WriteBatching }, signal: AbortSignal) {
  const sent = { bytes: 0 };
  let skip = options.skip;
  let held: Uint8Array[] | null = [];
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const bytes = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
    batch = [];
    batchBytes = 0;
    await write(res, bytes, signal);
  };
  const out = async (bytes: Uint8Array) => {
    if (held) return void held.push(bytes);
    batch.push(bytes);
    batchBytes += bytes.byteLength;
    if (!options.batch?.ahead() || batchBytes >= options.batch.maxBytes) await flush();
  };
  /** The encoder's sink. */
  const audio = async (bytes: Uint8Array) => {
    const dropped = Math.min(skip, bytes.byteLength);
    skip -= dropped;
    const rest = bytes.subarray(dropped);
    sent.bytes += rest.byteLength;
    if (!options.timed) await out(rest);
    else if (rest.byteLength > 0) await out(encodeTimedAudio.audio(rest));
  };
  const words = async (timestamps: WordTimestamp[]) => {
    if (options.timed && timestamps.length > 0) await out(encodeTimedAudio.words(timestamps));
  };
  const end = async (summary: TimedAudioEnd) => {
    if (options.timed) await out(encodeTimedAudio.end(summary));
    await flush();
  };
  const open = async (headers: OutgoingHttpHeaders) => {
    res.writeHead(200, headers);
    const early = held ?? [];
    held = null;
    for (const bytes of early) await write(res, bytes, signal);
  };
  return { audio, words, end, open, sent };
}

/**
 * Engine words as the protocol's: the input's characters, and ms of output time. Resampling keeps
 * time and engines apply speed themselves, so engine samples over the engine's rate are output time.
 */
export function wordTimestamps(input: string, engineRate: number): (words: EngineWord[]) => WordTimestamp[] {
  const characters = Array.from(input);
  const ms = (sample: number) => Math.round((sample / engineRate) * 1000);
  return (words) =>
    words.map((word) => ({
      word: characters.slice(word.charStart, word.charEnd).join(''),
      char_start: word.charStart,
      char_end: word.charEnd,
      start_ms: ms(word.startSample),
      end_ms: ms(word.endSample),
    }));
}
