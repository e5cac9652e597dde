import { type ChunkResult, sourceOf, streamOf } from './chunk-source.ts';

/** What the edge needs to continue an audio stream on another worker. */
export interface ResumeOptions<T> {
  /**
   * Asks another worker for the same stream from audio byte `atByte` on. Resolves null when no
   * worker can: the client's stream then fails as it would have.
   */
  resume(atByte: number): Promise<ReadableStream<T> | null>;
  /** The audio bytes a piece carries: all of a byte chunk, or a timed-audio frame's audio. */
  audioBytes(piece: T): number;
  /** At most this many continuations for one stream. */
  maxResumes?: number;
}

/**
 * The worker's audio stream, continued on another worker when the one serving it fails
 * mid-stream: the edge counts the audio bytes it passed on and asks for the rest. The next
 * worker regenerates the audio with the same seed and voice, encodes it the same way (so its
 * bytes are the same bytes), and skips what the client has; the edge splices it in, so the
 * client gets one whole stream. Cancelling the result cancels whichever upstream is current.
 */
export function resumableStream<T>(first: ReadableStream<T>, options: ResumeOptions<T>): ReadableStream<T> {
  const maxResumes = options.maxResumes ?? 2;
  let upstream = sourceOf(first);
  let delivered = 0;
  let resumes = 0;

  async function continueAfter(error: unknown): Promise<void> {
    if (resumes >= maxResumes) throw error;
    resumes++;
    const next = await options.resume(delivered).catch(() => null);
    if (!next) throw error;
    upstream = sourceOf(next);
  }

  return streamOf<T>({
    async read() {
      for (;;) {
        let chunk: ChunkResult<T>;
        try {
          chunk = await upstream.read();
        } catch (error) {
          await continueAfter(error); // throws (and so errors the stream) when it cannot
          continue;
        }
        if (chunk.done) return chunk;
        const bytes = options.audioBytes(chunk.value);
        if (bytes === 0 && chunk.value instanceof Uint8Array) continue;
        delivered += bytes;
        return chunk;
      }
    },
    async cancel(reason) {
      await upstream.cancel(reason).catch(() => {});
    },
  });
}
