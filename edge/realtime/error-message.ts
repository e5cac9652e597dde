import type { ApiError } from '../../shared/errors.ts';
import type { ServerMessage } from '../../shared/schemas/realtime.ts';

/** An API error as the socket says it: the same code as on HTTP, and Retry-After in seconds. */
export function errorMessage(error: ApiError, contextId?: string, retrying = false): Extract<ServerMessage, { type: 'error' }> {
  const retryAfter = Number(error.headers?.['retry-after']);
  return {
    type: 'error',
    code: error.code,
    message: error.message,
    ...(contextId ? { context_id: contextId } : {}),
    ...(Number.isFinite(retryAfter) ? { retry_after_seconds: retryAfter } : {}),
    ...(retrying ? { retrying } : {}),
  };
}
