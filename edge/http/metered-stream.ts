/** How a streamed body ended: the bytes the client was handed, and whether the stream finished. */
export interface StreamOutcome {
  bytes: number;
  /** True when the upstream ended normally; false when it failed or the client went away. */
  completed: boolean;
  /** Why it ended: the upstream finished, the client went away, or the upstream failed. */
  ending: 'completed' | 'client_closed' | 'failed';
  /** When the first bytes were handed to the client (ms since the epoch), null if none were. */
  firstChunkAt: number | null;
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
  /** The client request's signal: an upstream error after it aborted counts as the client leaving. */
  clientSignal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  let bytes = 0;
  let firstChunkAt: number | null = null;
  let ended = false;
  const end = (ending: StreamOutcome['ending'], error?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd({ bytes, completed: ending === 'completed', ending, firstChunkAt, ...(error === undefined ? {} : { error }) });
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            end('completed');
            return;
          }
          if (value.byteLength > 0) firstChunkAt ??= Date.now();
          bytes += value.byteLength;
          controller.enqueue(value);
        } catch (error) {
          controller.error(error);
          end(clientSignal?.aborted ? 'client_closed' : 'failed', error);
        }
      },
      async cancel(reason) {
        end('client_closed', reason);
        await reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
