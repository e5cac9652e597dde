/** How a streamed body ended: the bytes the client was handed, and whether the stream finished. */
export interface StreamOutcome {
  bytes: number;
  /** True when the upstream ended normally; false when it failed or the client went away. */
  completed: boolean;
  error?: unknown;
}

/**
 * Pipes `upstream` to the client chunk by chunk, pulling only as fast as the client reads, and
 * reports the outcome once. When the client goes away the upstream is cancelled, which closes
 * the connection to the worker and stops its synthesis; when the upstream fails mid-stream the
 * client's stream errors too, so a cut-short body never looks complete.
 */
export function meteredStream(
  upstream: ReadableStream<Uint8Array>,
  onEnd: (outcome: StreamOutcome) => void,
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  let bytes = 0;
  let ended = false;
  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    onEnd(outcome);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            end({ bytes, completed: true });
            return;
          }
          bytes += value.byteLength;
          controller.enqueue(value);
        } catch (error) {
          controller.error(error);
          end({ bytes, completed: false, error });
        }
      },
      async cancel(reason) {
        end({ bytes, completed: false, error: reason });
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
