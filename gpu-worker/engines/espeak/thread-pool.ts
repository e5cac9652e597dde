import { Worker } from 'node:worker_threads';
import { CANCEL_SLOT, type SynthesizeJob, type ThreadMessage } from './protocol.ts';

interface Thread {
  worker: Worker;
  cancel: Int32Array;
  sampleRate: number;
}

/** What a running job hands back: audio blocks as espeak makes them, then the end. */
type JobEvent = { type: 'chunk'; samples: Int16Array } | { type: 'end' } | { type: 'error'; message: string };

/**
 * A fixed set of espeak threads. A job (one sentence) takes a free thread or waits for one;
 * threads are handed out per sentence, so a slow reader of a long text never holds one while
 * it is not synthesizing.
 */
export class EspeakThreadPool {
  readonly sampleRate: number;
  private readonly idle: Thread[];
  private readonly waiting: Array<(thread: Thread) => void> = [];
  private readonly all: Thread[];
  private nextJobId = 1;

  private constructor(threads: Thread[]) {
    this.all = threads;
    this.idle = [...threads];
    this.sampleRate = threads[0]!.sampleRate;
  }

  static async start(size: number): Promise<EspeakThreadPool> {
    const threads = await Promise.all(
      Array.from({ length: size }, async () => {
        const cancel = new Int32Array(new SharedArrayBuffer(4));
        const worker = new Worker(new URL('./espeak-thread.ts', import.meta.url), { workerData: { cancel: cancel.buffer } });
        const ready = await new Promise<ThreadMessage>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        if (ready.type !== 'ready') throw new Error(`espeak thread failed to start: ${JSON.stringify(ready)}`);
        return { worker, cancel, sampleRate: ready.sampleRate };
      }),
    );
    return new EspeakThreadPool(threads);
  }

  /** Synthesizes one piece of text, yielding espeak's 16-bit blocks; stops within one block of `signal`. */
  async *run(job: Omit<SynthesizeJob, 'type' | 'jobId'>, signal: AbortSignal): AsyncGenerator<Int16Array> {
    if (signal.aborted) return;
    const thread = await this.acquire();
    const jobId = this.nextJobId++;
    const events: JobEvent[] = [];
    let wake: (() => void) | undefined;
    const push = (event: JobEvent) => {
      events.push(event);
      wake?.();
    };
    const onMessage = (message: ThreadMessage) => {
      if (message.type === 'ready' || message.jobId !== jobId) return;
      if (message.type === 'chunk') push({ type: 'chunk', samples: message.samples });
      else if (message.type === 'done') push({ type: 'end' });
      else push({ type: 'error', message: message.message });
    };
    const onExit = (code: number) => push({ type: 'error', message: `espeak thread exited with code ${code}` });
    const onAbort = () => Atomics.store(thread.cancel, CANCEL_SLOT, jobId);
    thread.worker.on('message', onMessage);
    thread.worker.once('exit', onExit);
    signal.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      thread.worker.postMessage({ type: 'synthesize', jobId, ...job } satisfies SynthesizeJob);
      while (true) {
        while (events.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const event = events.shift()!;
        if (event.type === 'end') {
          finished = true;
          return;
        }
        if (event.type === 'error') throw new Error(event.message);
        if (signal.aborted) continue; // drain to the end without handing out more audio
        yield event.samples;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      thread.worker.off('exit', onExit);
      if (!finished) {
        // The consumer stopped early: stop espeak and wait for the thread to finish the job
        // before anyone else uses it.
        Atomics.store(thread.cancel, CANCEL_SLOT, jobId);
        while (!events.some((event) => event.type !== 'chunk')) await new Promise<void>((resolve) => (wake = resolve));
      }
      thread.worker.off('message', onMessage);
      this.release(thread);
    }
  }

  private acquire(): Promise<Thread> {
    const thread = this.idle.pop();
    if (thread) return Promise.resolve(thread);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(thread: Thread): void {
    const next = this.waiting.shift();
    if (next) next(thread);
    else this.idle.push(thread);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((thread) => thread.worker.terminate()));
  }
}
