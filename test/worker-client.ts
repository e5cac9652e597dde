import { signRequest } from '../shared/protocol/signing.ts';
import type { WorkerSynthesisRequest } from '../shared/protocol/worker-api.ts';

/** Talks to a gpu-worker directly, signing as the edge does. */
export async function signedWorkerFetch(
  baseUrl: string,
  secret: string,
  path: string,
  init: { method?: 'GET' | 'POST'; body?: string | Uint8Array; now?: number; signal?: AbortSignal } = {},
): Promise<{ response: Response; headers: Record<string, string> }> {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : init.body;
  const headers = await signRequest(secret, { method, path, ...(body ? { body } : {}), ...(init.now ? { now: init.now } : {}) });
  const response = await fetch(baseUrl + path, { method, headers, ...(body ? { body } : {}), ...(init.signal ? { signal: init.signal } : {}) });
  return { response, headers };
}

export const synthesisBody = (overrides: Partial<WorkerSynthesisRequest> = {}): string =>
  JSON.stringify({
    request_id: `test-${crypto.randomUUID()}`,
    model: 'espeak',
    voice: 'en-female',
    language: 'en',
    input: 'Hello from a test.',
    response_format: 'pcm',
    speed: 1,
    ...overrides,
  } satisfies WorkerSynthesisRequest);
