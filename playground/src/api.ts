import { loadKey } from './key-store.ts';

/** An answer of the API that is not a success: its JSON error, and `Retry-After` when it says when to come back. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, param?: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A call to this same origin with the saved key, or with `bearer` instead (a client token: then
 * the key is not sent); an answer that is not 2xx throws an ApiFailure.
 */
export async function apiFetch(path: string, init: RequestInit = {}, bearer?: string): Promise<Response> {
  const headers = new Headers(init.headers);
  const credential = bearer ?? loadKey();
  if (credential) headers.set('authorization', `Bearer ${credential}`);
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) throw await failureOf(response);
  return response;
}

export async function apiJson<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const request = json === undefined ? rest : { ...rest, body: JSON.stringify(json), headers: { ...rest.headers, 'content-type': 'application/json' } };
  return (await apiFetch(path, request)).json() as Promise<T>;
}

async function failureOf(response: Response): Promise<ApiFailure> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown; param?: unknown } } | null;
  const error = body?.error;
  const retryAfter = response.headers.get('retry-after');
  return new ApiFailure(
    response.status,
    typeof error?.code === 'string' ? error.code : `http_${response.status}`,
    typeof error?.message === 'string' ? error.message : `The server answered ${response.status} ${response.statusText}.`,
    typeof error?.param === 'string' ? error.param : undefined,
    retryAfter !== null && Number.isFinite(Number(retryAfter)) ? Number(retryAfter) : undefined,
  );
}
