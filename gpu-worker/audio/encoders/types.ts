/** Where an encoder's bytes go: the response, with backpressure (resolves once more may be sent). */
export type ByteSink = (bytes: Uint8Array) => Promise<void>;

/**
 * Turns a stream of float samples (mono, at the rate it was made for) into one response format's
 * bytes, sent to its sink as soon as the codec has them: container headers first, then frames or
 * pages, so that the bytes sent so far always decode from the start.
 */
export interface StreamEncoder {
  /** Encodes samples in [-1, 1]; resolves once their bytes (as many as the codec has) are sent. */
  write(samples: Float32Array): Promise<void>;
  /** Flushes the codec's last frames and the container's trailer, then sends them. */
  end(): Promise<void>;
  /** Frees what the encoder holds (a thread, WebAssembly memory); safe after `end()` and twice. */
  close(): void;
}
