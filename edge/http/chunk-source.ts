/**
 * The body's one pass. A speech stream goes through several layers on the edge, each of which
 * sees every chunk: the pool holds the worker's answer open in its count (worker-pool.ts), carries
 * it on to another worker when one fails (resumable-stream.ts) and the ticket meters what the
 * client is handed (metered-stream.ts). Chained as ReadableStreams, each chunk would cross every
 * layer's stream machinery, which is most of the edge's CPU per second of audio. As sources, a
 * chunk is one call down the layers, and one stream at the end is what workerd reads.
 *
 * The layers still hand each other ReadableStreams: `streamOf` makes a layer's source into the
 * stream it returns, and `sourceOf` takes the source back out of it, so the next layer reads the
 * source directly. Any other stream (a worker's body, a parser's output) is read through its reader.
 */
/** A reader's result (the global type is the Workers runtime's and the DOM's; Node's scripts import this too). */
export type ChunkResult<T> = { done: false; value: T } | { done: true; value?: undefined };

export interface ChunkSource<T> {
  read(): Promise<ChunkResult<T>>;
  cancel(reason?: unknown): Promise<void>;
}

const sources = new WeakMap<ReadableStream<unknown>, ChunkSource<unknown>>();

/** A pull stream of the source's chunks (nothing read ahead), which `sourceOf` unwraps again. */
export function streamOf<T>(source: ChunkSource<T>): ReadableStream<T> {
  const stream = new ReadableStream<T>(
    {
      async pull(controller) {
        const chunk = await source.read(); // a failure errors the stream
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel: (reason) => source.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  sources.set(stream, source);
  return stream;
}

/**
 * A byte stream's chunks as a source that reads up to `size` bytes at a time (a BYOB reader):
 * read by the default reader, a worker's body comes 4 KB at a time, each a trip through every
 * layer; this takes whatever has arrived, up to `size`, and never waits for more than a byte.
 */
export function byteSourceOf(stream: ReadableStream<Uint8Array>, size = 64 * 1024): ChunkSource<Uint8Array> {
  const reader = stream.getReader({ mode: 'byob' });
  return {
    async read() {
      const { done, value } = await reader.read(new Uint8Array(size));
      return done || !value ? { done: true } : { done: false, value };
    },
    cancel: (reason) => reader.cancel(reason),
  };
}

/** The stream's chunks as a source: the source it was made of, else its reader's. Either way, the stream is then locked. */
export function sourceOf<T>(stream: ReadableStream<T>): ChunkSource<T> {
  const inner = sources.get(stream) as ChunkSource<T> | undefined;
  if (inner) {
    sources.delete(stream);
    stream.getReader(); // locked: from now on its chunks are read through the source alone
    return inner;
  }
  const reader = stream.getReader();
  return { read: () => reader.read() as Promise<ChunkResult<T>>, cancel: (reason) => reader.cancel(reason) };
}
