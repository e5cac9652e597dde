/** What the edge needs to continue an audio stream on another worker. */
export interface ResumeOptions {
  /** Bytes of container header before the samples (44 for WAV, 0 for raw PCM). */
  headerBytes: number;
  /** Bytes per sample of the stream (s16le mono: 2). */
  bytesPerSample: number;
  /**
   * Asks another worker for the same audio from sample `atSample` on (no header). Resolves null
   * when no worker can: the client's stream then fails as it would have.
   */
  resume(atSample: number): Promise<ReadableStream<Uint8Array> | null>;
  /** At most this many continuations for one stream. */
  maxResumes?: number;
}

/**
 * The worker's audio stream, continued on another worker when the one serving it fails
 * mid-stream: the edge counts what it passed on, asks for the rest from the next sample (the
 * worker regenerates with the same seed and voice and skips what the client has), and splices
 * it in, so the client hears one whole stream. A half-delivered sample is completed from the
 * continuation's first bytes. Cancelling the result cancels whichever upstream is current.
 */
export function resumableStream(first: ReadableStream<Uint8Array>, options: ResumeOptions): ReadableStream<Uint8Array> {
  const maxResumes = options.maxResumes ?? 2;
  let reader = first.getReader();
  let delivered = 0;
  let resumes = 0;
  // Bytes at the start of a continuation that the client already has (the rest of a split sample).
  let skip = 0;

  async function continueAfter(error: unknown): Promise<void> {
    const audioBytes = delivered - options.headerBytes;
    if (resumes >= maxResumes || audioBytes < 0) throw error;
    resumes++;
    const next = await options.resume(Math.floor(audioBytes / options.bytesPerSample)).catch(() => null);
    if (!next) throw error;
    skip = audioBytes % options.bytesPerSample;
    reader = next.getReader();
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (error) {
            await continueAfter(error); // throws (and so errors the stream) when it cannot
            continue;
          }
          if (chunk.done) return controller.close();
          let bytes = chunk.value;
          if (skip > 0) {
            const dropped = Math.min(skip, bytes.byteLength);
            skip -= dropped;
            bytes = bytes.subarray(dropped);
          }
          if (bytes.byteLength === 0) continue;
          delivered += bytes.byteLength;
          controller.enqueue(bytes);
          return;
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
