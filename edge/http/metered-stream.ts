import { sourceOf, streamOf } from './chunk-source.ts';

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

/** What has gone to the client so far, readable at any time while the stream runs. */
export interface StreamProgress {
  bytes: number;
  firstChunkAt: number | null;
}

export interface MeteredStreamOptions {
  /** Called once, when the stream ends for whatever reason. */
  onEnd: (outcome: StreamOutcome) => void;
  /** The client request's signal: its abort ends the stream as the client leaving. */
  clientSignal?: AbortSignal;
}

/**
 * Pipes `upstream` to the client chunk by chunk, pulling only as fast as the client reads, and
 * reports the outcome once. When the client goes away the upstream is cancelled, which closes
 * the connection to the worker and stops its synthesis; when the upstream fails mid-stream the
 * client's stream errors too (workerd still ends such a response cleanly, cloudflare/workerd#6818,
 * which is why `stream_format: "sse"` exists). `progress` says what has been handed over so far.
 *
 * workerd 2026-04 under Miniflare, when the client disconnected while the body waited on a slow
 * upstream, could tear the request down without calling `cancel` or firing the request's abort
 * event, so `onEnd` never ran; 2026-07-30 calls it (speech-events.happy.test.ts checks). The
 * speech limits still do not rely on `onEnd` alone: they report progress to a lease that runs out.
 */
export function meteredStream(
  upstream: ReadableStream<Uint8Array>,
  options: MeteredStreamOptions,
): { body: ReadableStream<Uint8Array>; progress: StreamProgress } {
  const { onEnd, clientSignal } = options;
  const reader = sourceOf(upstream);
  const progress: StreamProgress = { bytes: 0, firstChunkAt: null };
  let ended = false;
  const end = (ending: StreamOutcome['ending'], error?: unknown) => {
    if (ended) return;
    ended = true;
    clientSignal?.removeEventListener('abort', onClientGone);
    onEnd({ ...progress, completed: ending === 'completed', ending, ...(error === undefined ? {} : { error }) });
  };
  function onClientGone() {
    end('client_closed', clientSignal?.reason);
    reader.cancel(clientSignal?.reason).catch(() => {});
  }
  clientSignal?.addEventListener('abort', onClientGone, { once: true });
  const body = streamOf<Uint8Array>({
    async read() {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          end('completed');
          return chunk;
        }
        if (chunk.value.byteLength > 0) progress.firstChunkAt ??= Date.now();
        progress.bytes += chunk.value.byteLength;
        return chunk;
      } catch (error) {
        end(clientSignal?.aborted ? 'client_closed' : 'failed', error);
        throw error;
      }
    },
    async cancel(reason) {
      end('client_closed', reason);
      await reader.cancel(reason).catch(() => {});
    },
  });
  return { body, progress };
}
