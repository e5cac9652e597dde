import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A real gpu-worker process on a loopback port, as the edge talks to it in production. */
export interface GpuWorkerHarness {
  url: string;
  secret: string;
  process: ChildProcess;
  /** Everything the worker logged, one parsed JSON object a line. */
  logs: Array<Record<string, unknown>>;
  /**
   * The line with this `message` about this request, once the worker has logged it: its log
   * reaches this process after the response it wrote (a pipe, not the socket), so it is waited for.
   */
  logLine(message: string, requestId: string | null, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGTERM (the worker drains: open streams finish) and resolve with the exit code once it has exited. */
  terminate(): Promise<number | null>;
  /** SIGKILL at once: a worker dying mid-stream. */
  kill(): Promise<void>;
  /** SIGSTOP: a worker that hangs (a stuck GPU) with its connections open. `thaw` undoes it. */
  freeze(): void;
  /** SIGCONT: a frozen worker goes on where it stopped. */
  thaw(): void;
}

const ENTRY = new URL('../../gpu-worker/main.ts', import.meta.url).pathname;

export const TEST_WORKER_SECRET = 'test-secret-0123456789abcdef';

// Workers still running when this process exits (a bench that threw before its finally, a test
// file that ended early) are killed with it rather than left behind on their port.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface GpuWorkerOptions {
  secret?: string;
  env?: Record<string, string>;
  args?: string[];
  /** The edge (or a stand-in) whose pool the worker joins by heartbeats: `--edge-url`. */
  edgeUrl?: string;
}

export async function startGpuWorker(options: GpuWorkerOptions = {}): Promise<GpuWorkerHarness> {
  const secret = options.secret ?? TEST_WORKER_SECRET;
  const edgeArgs = options.edgeUrl ? ['--edge-url', options.edgeUrl] : [];
  // Tests stop workers with SIGTERM, which drains: a stream a test left unread must not hold its teardown a minute.
  const child = spawn(process.execPath, [ENTRY, '--port', '0', ...edgeArgs, ...(options.args ?? [])], {
    env: { ...process.env, WORKER_SECRET: secret, ESPEAK_THREADS: '2', DRAIN_GRACE_MS: '5000', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.message === 'listening') resolve(entry.url as string);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`gpu-worker exited with ${code} before listening: ${stderr}`)));
  });

  return {
    url,
    secret,
    process: child,
    logs,
    async logLine(message, requestId, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = logs.find((entry) => entry.message === message && entry.request_id === requestId);
        if (line) return line;
        if (Date.now() > deadline) throw new Error(`the worker never logged "${message}" for request ${requestId}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      // A frozen worker would never see its SIGTERM.
      if (child.exitCode === null) child.kill('SIGCONT');
      await exited;
    },
    terminate() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    freeze() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGSTOP');
    },
    thaw() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
    },
  };
}

/** The first of `workers` with a stream open right now (its unsigned readiness probe reports its load). */
export async function busyWorker(workers: readonly GpuWorkerHarness[]): Promise<GpuWorkerHarness> {
  for (;;) {
    for (const worker of workers) {
      if (worker.process.exitCode !== null || worker.process.signalCode !== null) continue;
      const stats = (await (await fetch(`${worker.url}/readyz`)).json()) as { active: number };
      if (stats.active > 0) return worker;
    }
  }
}
