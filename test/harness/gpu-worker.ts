import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A real gpu-worker process on a loopback port, as the edge talks to it in production. */
export interface GpuWorkerHarness {
  url: string;
  secret: string;
  process: ChildProcess;
  /** Everything the worker logged, one parsed JSON object a line. */
  logs: Array<Record<string, unknown>>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL at once: a worker dying mid-stream. */
  kill(): Promise<void>;
}

const ENTRY = new URL('../../gpu-worker/main.ts', import.meta.url).pathname;

export const TEST_WORKER_SECRET = 'test-secret-0123456789abcdef';

export async function startGpuWorker(options: { secret?: string; env?: Record<string, string>; args?: string[] } = {}): Promise<GpuWorkerHarness> {
  const secret = options.secret ?? TEST_WORKER_SECRET;
  const child = spawn(process.execPath, [ENTRY, '--port', '0', ...(options.args ?? [])], {
    env: { ...process.env, WORKER_SECRET: secret, ESPEAK_THREADS: '2', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

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
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
