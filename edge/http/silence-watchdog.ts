import { type ChunkResult, sourceOf, streamOf } from './chunk-source.ts';

/** What a watched upstream may keep the edge waiting, and whom to tell when it is too long. */
export interface SilenceLimits {
  /** The longest wait for one read, ms. */
  silenceMs: number;
  /** The wait for the first read, when it differs (a resumed stream regenerates the skipped audio first). */
  firstReadMs?: number;
  /** Told once, as the stream errors: the upstream kept the edge waiting `waitedMs`. */
  onStall(waitedMs: number): void;
}

/** The read error of a stream whose upstream went silent: resumableStream continues after it as after any failure. */
export class UpstreamStalled extends Error {
  constructor(waitedMs: number) {
    super(`the worker sent nothing for ${waitedMs} ms`);
    this.name = 'UpstreamStalled';
  }
}

/**
 * The upstream's bytes, erroring when a read waits longer than the limit: a worker frozen with
 * its connection open (SIGSTOP, a hung GPU) would otherwise hold the client forever. Time counts
 * only while a read is pending, that is while the edge waits on the worker: a slow client, which
 * stops the edge pulling, is never taken for a stalled worker. On a stall the upstream is
 * cancelled (its connection closed) and `onStall` told.
 *
 * One timer for the stream's life, not one a read: it checks, when it fires, how long the
 * pending read (if any) has waited, and sleeps again for the rest of the limit.
 */
export function silenceWatchdog(upstream: ReadableStream<Uint8Array>, limits: SilenceLimits): ReadableStream<Uint8Array> {
  const reader = sourceOf(upstream);
  let limitMs = limits.firstReadMs ?? limits.silenceMs;
  /** When the pending read began; null while the edge is not waiting on the worker. */
  let waitingSince: number | null = null;
  let failPending: ((error: Error) => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let over = false;

  const check = () => {
    timer = null;
    if (over || waitingSince === null) return; // the next read starts the timer again
    const waited = Date.now() - waitingSince;
    if (waited < limitMs) {
      timer = setTimeout(check, limitMs - waited);
      return;
    }
    over = true;
    limits.onStall(waited);
    failPending?.(new UpstreamStalled(waited));
    reader.cancel(new UpstreamStalled(waited)).catch(() => {});
  };

  const stop = () => {
    over = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  // A layer of the body's one pass (chunk-source.ts): no stream of its own between the worker and the client.
  return streamOf<Uint8Array>({
    async read() {
      waitingSince = Date.now();
      timer ??= setTimeout(check, limitMs);
      let chunk: ChunkResult<Uint8Array>;
      try {
        chunk = await new Promise<ChunkResult<Uint8Array>>((resolve, reject) => {
          failPending = reject;
          reader.read().then(resolve, reject);
        });
      } catch (error) {
        stop();
        throw error;
      } finally {
        waitingSince = null;
        failPending = null;
      }
      if (limitMs !== limits.silenceMs) {
        // The first read had its own allowance: the timer set for it would fire too late now.
        limitMs = limits.silenceMs;
        if (timer !== null) clearTimeout(timer);
        timer = null;
      }
      if (chunk.done) stop();
      return chunk;
    },
    async cancel(reason) {
      stop();
      await reader.cancel(reason).catch(() => {});
    },
  });
}
