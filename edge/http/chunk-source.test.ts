import { describe, expect, it } from 'vitest';
import { byteSourceOf, type ChunkSource, sourceOf, streamOf } from './chunk-source.ts';

const sourceFrom = <T>(items: T[]): ChunkSource<T> & { cancelled: unknown[] } => {
  const cancelled: unknown[] = [];
  return {
    cancelled,
    read: async () => (items.length > 0 ? { done: false, value: items.shift()! } : { done: true }),
    cancel: async (reason) => void cancelled.push(reason),
  };
};

describe('chunk sources', () => {
  it('a stream made of a source gives that source back, and is locked from then on', () => {
    const source = sourceFrom([1, 2]);
    const stream = streamOf(source);
    expect(sourceOf(stream)).toBe(source);
    expect(stream.locked).toBe(true);
  });

  it('a stream made of a source reads its chunks, and a cancel reaches it', async () => {
    const source = sourceFrom(['a', 'b']);
    const chunks: string[] = [];
    for await (const chunk of streamOf(source)) chunks.push(chunk);
    expect(chunks).toEqual(['a', 'b']);
    const other = sourceFrom(['c']);
    await streamOf(other).cancel('gone');
    expect(other.cancelled).toEqual(['gone']);
  });

  it("any other stream is read through its reader, a source's failure errors the stream", async () => {
    const source = sourceOf(new Blob(['xyz']).stream());
    expect(new TextDecoder().decode((await source.read()).value)).toBe('xyz');
    const failing = streamOf<number>({ read: async () => Promise.reject(new Error('worker died')), cancel: async () => {} });
    await expect(failing.getReader().read()).rejects.toThrow('worker died');
  });

  it('a byte stream is read in pieces as large as what has arrived, up to the size asked', async () => {
    const pieces = [new Uint8Array(4096).fill(1), new Uint8Array(4096).fill(2), new Uint8Array(100).fill(3)];
    const stream = new ReadableStream({
      type: 'bytes',
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    const source = byteSourceOf(stream, 64 * 1024);
    const first = await source.read();
    expect(first.value?.byteLength).toBe(4096 * 2 + 100); // what was queued, in one read
    expect((await source.read()).done).toBe(true);
  });
});
