import { signRequest } from '../../shared/protocol/signing.ts';

/** A fetch to a gpu-worker, signed with the shared secret (see shared/protocol/signing.ts). */
export async function signedFetch(
  secret: string,
  baseUrl: string,
  path: string,
  init: { method: 'GET' | 'POST'; body?: string; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<Response> {
  const body = init.body === undefined ? undefined : new TextEncoder().encode(init.body);
  const signature = await signRequest(secret, { method: init.method, path, ...(body ? { body } : {}) });
  return fetch(new URL(path, baseUrl), {
    method: init.method,
    headers: { ...init.headers, ...signature, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}
