import { afterAll, beforeAll } from 'vitest';
import { type EdgeHarness, startEdge } from './edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from './gpu-worker.ts';

/** One real gpu-worker behind the edge in workerd, and a key with every scope. */
export interface StackHarness {
  worker: GpuWorkerHarness;
  edge: EdgeHarness;
  key: string;
  stop(): Promise<void>;
}

export async function startStack(options: { workerEnv?: Record<string, string>; workerArgs?: string[]; edgeVars?: Record<string, string> } = {}): Promise<StackHarness> {
  const worker = await startGpuWorker({ ...(options.workerEnv ? { env: options.workerEnv } : {}), ...(options.workerArgs ? { args: options.workerArgs } : {}) });
  const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, ...(options.edgeVars ? { vars: options.edgeVars } : {}) }).catch(async (error: unknown) => {
    await worker.stop();
    throw error;
  });
  const { key } = await edge.createKey();
  return {
    worker,
    edge,
    key,
    async stop() {
      await edge.dispose();
      await worker.stop();
    },
  };
}

/**
 * Starts a stack before the calling test file's tests and stops it after them. The object it
 * returns is filled in by `beforeAll`, so read its fields inside tests, not at module level.
 */
export function useStack(options: Parameters<typeof startStack>[0] = {}): StackHarness {
  const stack = {} as StackHarness;
  beforeAll(async () => {
    Object.assign(stack, await startStack(options));
  });
  afterAll(() => stack.stop?.());
  return stack;
}
