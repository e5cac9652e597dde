import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DeadlineQueue } from '../deadline-queue.ts';
import { CANCEL_SLOT, type EspeakWordEvent, type SynthesizeJob, type ThreadMessage } from './protocol.ts';

interface Thread {
  worker: Worker;
  cancel: Int32Array;
  sampleRate: number;
}

/** Niceness of the threads that synthesize ahead of playback (see espeak-thread.ts). */
const AHEAD_NICENESS = 10;

/** An audio block as espeak makes it, with the words that start in it. */
export interface EspeakBlock {
  samples: Int16Array;
  words?: EspeakWordEvent[];
}

/** What a running job hands back: audio blocks, then the end. */
type JobEvent = { type: 'chunk'; block: EspeakBlock } | { type: 'end' } | { type: 'error'; message: string };

/**
 * A fixed set of espeak threads. A job (one sentence) takes a free thread or waits for one, and
 * gives it back the moment espeak has finished it. Waiting jobs go earliest deadline first (see
 * PlaybackClock): a new stream's first sentence before the later sentences of streams already
 * playing, rather than behind all of them.
 *
 * A sentence, once started, runs to its end, so a new stream could still wait for one to finish
 * on every thread. Hence the urgent thread: kept for jobs whose listener has no audio in hand,
 * it is free whenever a stream starts unless another started just before. The other threads work
 * ahead of playback at a lower priority, so that they never hold the CPU from the threads that
 * answer requests (the urgent one included).
 */
export class EspeakThreadPool {
  readonly sampleRate: number;
  private readonly threads: DeadlineQueue<Thread>;
  private readonly urgent: DeadlineQueue<Thread>;
  private readonly urgentThreads: ReadonlySet<Thread>;
  private readonly all: Thread[];
  private nextJobId = 1;

  private constructor(ahead: Thread[], urgent: Thread[]) {
    this.all = [...ahead, ...urgent];
    this.threads = new DeadlineQueue(ahead);
    this.urgent = new DeadlineQueue(urgent);
    this.urgentThreads = new Set(urgent);
    this.sampleRate = this.all[0]!.sampleRate;
  }

  /**
   * `size` threads synthesize at a low priority; with `urgentThread`, one more, at normal
   * priority, takes only jobs with no audio in hand (see `run`).
   */
  static async start(size: number, options: { urgentThread?: boolean } = {}): Promise<EspeakThreadPool> {
    // A thread inherits the niceness of the thread that creates it, and libuv creates its pool
    // (fs, crypto, dns) on first use: start it from here, or a first use from a low-priority
    // espeak thread would leave the whole pool low-priority.
    await access(fileURLToPath(import.meta.url));
    const ahead = await Promise.all(Array.from({ length: size }, () => startThread(AHEAD_NICENESS)));
    const urgent = options.urgentThread ? [await startThread(0)] : [];
    return new EspeakThreadPool(ahead, urgent);
  }

  /**
   * Synthesizes one piece of text, yielding espeak's 16-bit blocks (with its word events) as they
   * come; stops within one block of `signal`. The thread goes back to the pool as soon as espeak finishes the piece, not
   * when the consumer has read it all: a slow reader buffers at most one sentence and never holds
   * a thread that other streams are waiting for. `deadline` (performance.now() ms) is the job's
   * place in line when every thread is busy, earliest first; the default, now, is arrival order.
   */
  async *run(job: Omit<SynthesizeJob, 'type' | 'jobId'>, signal: AbortSignal, deadline = performance.now()): AsyncGenerator<EspeakBlock> {
    if (signal.aborted) return;
    // A job whose listener has no audio in hand (a stream's first sentence, or one behind) takes
    // the urgent thread when it is free; otherwise it waits in line for the others.
    const urgent = deadline <= performance.now() ? this.urgent.tryAcquire() : undefined;
    const thread = urgent ?? (await this.threads.acquire(deadline, signal).catch(() => undefined)); // undefined: aborted while waiting
    if (!thread) return;
    const jobId = this.nextJobId++;
    const events: JobEvent[] = [];
    let wake: (() => void) | undefined;
    let held = true;
    const push = (event: JobEvent) => {
      events.push(event);
      wake?.();
    };
    const giveBack = (healthy: boolean) => {
      if (!held) return;
      held = false;
      thread.worker.off('message', onMessage);
      thread.worker.off('exit', onExit);
      signal.removeEventListener('abort', cancel);
      if (healthy) (this.urgentThreads.has(thread) ? this.urgent : this.threads).release(thread);
    };
    const onMessage = (message: ThreadMessage) => {
      if (message.type === 'ready' || message.jobId !== jobId) return;
      if (message.type === 'chunk') return push({ type: 'chunk', block: { samples: message.samples, ...(message.words ? { words: message.words } : {}) } });
      giveBack(true);
      push(message.type === 'done' ? { type: 'end' } : { type: 'error', message: message.message });
    };
    const onExit = (code: number) => {
      giveBack(false); // a dead thread is not handed out again
      push({ type: 'error', message: `espeak thread exited with code ${code}` });
    };
    const cancel = () => Atomics.store(thread.cancel, CANCEL_SLOT, jobId);
    thread.worker.on('message', onMessage);
    thread.worker.once('exit', onExit);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      thread.worker.postMessage({ type: 'synthesize', jobId, ...job } satisfies SynthesizeJob);
      while (true) {
        while (events.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const event = events.shift()!;
        if (event.type === 'end') return;
        if (event.type === 'error') throw new Error(event.message);
        if (signal.aborted) continue; // drain to the end without handing out more audio
        yield event.block;
      }
    } finally {
      // The consumer stopped early: tell espeak to stop; the thread returns when it says done.
      if (held) cancel();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((thread) => thread.worker.terminate()));
  }
}

async function startThread(niceness: number): Promise<Thread> {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./espeak-thread.ts', import.meta.url), { workerData: { cancel: cancel.buffer, niceness } });
  const ready = await new Promise<ThreadMessage>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (ready.type !== 'ready') throw new Error(`espeak thread failed to start: ${JSON.stringify(ready)}`);
  return { worker, cancel, sampleRate: ready.sampleRate };
}
