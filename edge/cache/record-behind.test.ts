import { describe, expect, it } from 'vitest';
import { encodeTimedAudio, type TimedAudioEvent } from '../../shared/protocol/timed-audio.ts';
import { MAX_CACHED_BYTES, recordAudio, recordTimedAudio } from './record-behind.ts';

const bytes = (...values: number[]) => new Uint8Array(values);

/** A stream of `pieces`, then an error if `fail` is given. */
function source<T>(pieces: T[], fail?: Error): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]!);
      else if (fail) controller.error(fail);
      else controller.close();
    },
  });
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const piece of stream as unknown as AsyncIterable<T>) out.push(piece);
  return out;
}

describe('recordAudio: a copy of what passes, kept only when the stream ends whole', () => {
  it('passes every chunk on unchanged and hands over the whole copy at the end', async () => {
    const kept: Uint8Array[] = [];
    const passed = await readAll(recordAudio(source([bytes(1, 2), bytes(3)]), (whole) => kept.push(whole)));
    expect(passed).toEqual([bytes(1, 2), bytes(3)]);
    expect(kept).toEqual([bytes(1, 2, 3)]);
  });

  it('keeps nothing when the stream fails part-way (a worker gone, no other to finish)', async () => {
    const kept: Uint8Array[] = [];
    await expect(readAll(recordAudio(source([bytes(1)], new Error('worker died')), (whole) => kept.push(whole)))).rejects.toThrow('worker died');
    expect(kept).toEqual([]);
  });

  it('keeps nothing when the reader cancels (the client left mid-stream), and the cancel reaches the source', async () => {
    const kept: Uint8Array[] = [];
    let cancelled: unknown;
    const upstream = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(bytes(7)), cancel: (reason) => void (cancelled = reason) });
    const reader = recordAudio(upstream, (whole) => kept.push(whole)).getReader();
    await reader.read();
    await reader.cancel('client gone');
    expect(cancelled).toBe('client gone');
    expect(kept).toEqual([]);
  });

  it('keeps nothing of a rendering larger than MAX_CACHED_BYTES, though all of it passes', async () => {
    const kept: Uint8Array[] = [];
    const big = new Uint8Array(MAX_CACHED_BYTES / 2 + 1);
    const passed = await readAll(recordAudio(source([big, big]), (whole) => kept.push(whole)));
    expect(passed).toHaveLength(2);
    expect(kept).toEqual([]);
  });
});

describe('recordTimedAudio: the events framed as a worker sends them, kept only with their end', () => {
  const words = [{ word: 'Hi', char_start: 0, char_end: 2, start_ms: 0, end_ms: 200 }];
  const events: TimedAudioEvent[] = [
    { kind: 'words', words },
    { kind: 'audio', bytes: bytes(1, 2) },
    { kind: 'end', end: { audio_ms: 250, alignment: 'exact' } },
  ];

  it('a whole stream is kept as frames, in order', async () => {
    const kept: Uint8Array[] = [];
    expect(await readAll(recordTimedAudio(source(events), (whole) => kept.push(whole)))).toEqual(events);
    const frames = [encodeTimedAudio.words(words), encodeTimedAudio.audio(bytes(1, 2)), encodeTimedAudio.end({ audio_ms: 250, alignment: 'exact' })];
    expect(kept).toEqual([new Uint8Array(Buffer.concat(frames))]);
  });

  it('a stream that ends without its end frame is not kept', async () => {
    const kept: Uint8Array[] = [];
    await readAll(recordTimedAudio(source(events.slice(0, 2)), (whole) => kept.push(whole)));
    expect(kept).toEqual([]);
  });
});
