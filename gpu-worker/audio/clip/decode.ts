import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { tooLong, undecodable } from './errors.ts';
import { formatName } from './format.ts';
import type { DecodeJob, DecodeMessage, DecodeReply } from './protocol.ts';

export type DecodedClip = Extract<DecodeReply, { type: 'decoded' }>;

export interface DecodeOptions {
  timeoutMs: number;
  /** Resident memory the decode process may reach before it is killed. */
  memoryBytes: number;
  signal?: AbortSignal | undefined;
}

/** How often the process's resident memory is read (Linux /proc; elsewhere only the JS heap is capped). */
const MEMORY_POLL_MS = 50;
/** The decode process's JS heap: far more than any real clip needs. */
const HEAP_MB = 256;
const TOO_MUCH_MEMORY = 'decoding it needs far more memory than any real clip';

/**
 * Decodes a clip in a process of its own, one per clip (about 0.2 s to start, most of it
 * loading the decoders and the resampler), killed on timeout, on abort, or when its resident
 * memory passes `memoryBytes`. Whatever a file does to a decoder ends with that process.
 * The process failing to start at all is this server's fault, not the clip's: a plain Error.
 */
export function decodeInProcess(job: DecodeJob, options: DecodeOptions): Promise<DecodedClip> {
  const name = formatName(job.format);
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./decode-process.ts', import.meta.url), [], {
      // Not the parent's flags (an inspector port, test runner hooks): only a heap cap.
      execArgv: [`--max-old-space-size=${HEAP_MB}`],
      serialization: 'advanced', // typed arrays cross as such
      // Never the worker's stdout (JSON log lines). What goes to stderr (V8's report when a file
      // exhausts the heap, decoder warnings) is kept only to explain a process that fails to start.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    let started = false;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      signal?.removeEventListener('abort', onAbort);
      child.kill('SIGKILL'); // a no-op once it has exited by itself
      outcome();
    };
    const fail = (why: string) => finish(() => reject(undecodable(name, why)));
    const onAbort = () => finish(() => reject(signal!.reason));

    const timer = setTimeout(() => fail(`it took too long to decode (over ${(options.timeoutMs / 1000).toFixed(1)} s)`), options.timeoutMs);
    const watch = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8').then(
        (status) => {
          const residentKb = Number(/^VmRSS:\s*(\d+)\s*kB/m.exec(status)?.[1] ?? 0);
          if (residentKb * 1024 > options.memoryBytes) fail(TOO_MUCH_MEMORY);
        },
        () => {}, // no /proc here, or the process has just exited: its reply or exit decides
      );
    }, MEMORY_POLL_MS);
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('message', (message: DecodeMessage) => {
      if (message.type === 'ready') {
        started = true;
        child.send(job);
      } else if (message.type === 'decoded') finish(() => resolve(message));
      else if (message.type === 'too_long') finish(() => reject(tooLong(undefined)));
      else fail(message.reason);
    });
    child.once('error', (error) => finish(() => reject(new Error(`the clip decoder process failed: ${error.message}`))));
    // 'close', not 'exit': it comes after the last message has been read.
    child.once('close', (code, signalName) => {
      if (!started) return finish(() => reject(new Error(`the clip decoder process did not start (${signalName ?? `exit code ${code}`}): ${stderr.trim()}`)));
      // Killed by V8 for running out of heap (SIGABRT) or any other way mid-decode: the file did it.
      fail(signalName === 'SIGABRT' ? TOO_MUCH_MEMORY : `the decoder stopped unexpectedly (${signalName ?? `exit code ${code}`})`);
    });
  });
}
