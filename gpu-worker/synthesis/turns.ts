import { DeadlineQueue } from '../engines/deadline-queue.ts';

/**
 * Turns at the main thread, one audio chunk's work (resample, encode, write) each, earliest
 * deadline first (see PlaybackClock). Without them a stream whose engine had a whole sentence
 * ready would resample and encode all of it in one go of microtasks, and a new request's first
 * chunk, its HTTP parsing and the engine threads' messages would all wait behind it.
 *
 * A turn is handed on from a setImmediate callback, that is after the event loop has polled I/O,
 * so newcomers that arrived meanwhile join the line before the next turn is given.
 */
export class MainThreadTurns {
  private readonly queue = new DeadlineQueue<true>([true]);

  /** Resolves when this stream's turn comes; rejects with the signal's reason if it aborts first. */
  async take(deadline: number, signal?: AbortSignal): Promise<void> {
    const turn = await this.queue.acquire(deadline, signal);
    // The holder runs on until its next await; then, after I/O, the next in line goes.
    setImmediate(() => this.queue.release(turn));
  }

  /** Streams waiting for a turn. */
  get waiting(): number {
    return this.queue.waiters;
  }
}

/** One event loop per process, so one line for it. */
export const mainThreadTurns = new MainThreadTurns();
