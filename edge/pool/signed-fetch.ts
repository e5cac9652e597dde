import { signRequest } from '../../shared/protocol/signing.ts';

export interface SignedInit {
  method: 'GET' | 'POST';
  /** JSON text, or raw bytes (a voice clip) sent as application/octet-stream. */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A fetch to a gpu-worker, signed with the shared secret (see shared/protocol/signing.ts). */
export async function signedFetch(secret: string, baseUrl: string, path: string, init: SignedInit): Promise<Response> {
  const body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : init.body;
  const signature = await signRequest(secret, { method: init.method, path, ...(body ? { body } : {}) });
  const contentType = typeof init.body === 'string' ? 'application/json' : 'application/octet-stream';
  return fetch(new URL(path, baseUrl), {
    method: init.method,
    headers: { ...init.headers, ...signature, ...(body ? { 'content-type': contentType } : {}) },
    ...(body ? { body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}
