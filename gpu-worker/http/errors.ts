import type { z } from 'zod';
import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { ENGINE_ERROR_CODES } from '../../shared/protocol/worker-errors.ts';
import { ClipError } from '../audio/clip/index.ts';
import { EngineRequestError } from '../engines/types.ts';
import { WorkerBusyError } from '../scheduler.ts';

/** The status of each engine refusal: 422 when the request was well formed but this model cannot do it. */
const ENGINE_ERROR_STATUS = new Map<string, number>(
  Object.entries(ENGINE_ERROR_CODES).flatMap(([status, codes]) => codes.map((code) => [code, Number(status)] as const)),
);

/** The API error a known failure answers; undefined for a failure that is the worker's fault. */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof ClipError) return new ApiError(error.status, 'invalid_request_error', error.code, error.message, { param: 'file' });
  if (error instanceof EngineRequestError) {
    const status = ENGINE_ERROR_STATUS.get(error.code) ?? 400;
    return new ApiError(status, status === 404 ? 'not_found_error' : 'invalid_request_error', error.code, error.message, {
      ...(error.param === undefined ? {} : { param: error.param }),
    });
  }
  if (error instanceof WorkerBusyError) {
    return new ApiError(503, 'service_unavailable', 'worker_busy', `This worker is busy: ${error.message}.`, { headers: { 'retry-after': '1' } });
  }
  return undefined;
}

/** Validates what the edge sent; the edge validated it first, so a failure here is a protocol mismatch. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidRequest('invalid_parameter', `${issue.path.join('.')}: ${issue.message}`, issue.path.join('.') || undefined);
  }
  return parsed.data;
}

export function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw invalidRequest('invalid_json', 'The request body is not valid JSON.');
  }
}
