import type { ErrorHandler, NotFoundHandler } from 'hono';
import { ApiError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';

/**
 * Every failure leaves as `{ "error": { type, code, message, param? } }` with its request id, or in
 * the shape of the dialect the request speaks (`errorBody`, e.g. ElevenLabs' `{ "detail": ... }`).
 */
export const errorResponse = (error: ApiError, requestId: string | undefined, errorBody: (error: ApiError) => unknown = (e) => e.toJSON()): Response => {
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8', ...error.headers });
  if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
  return new Response(JSON.stringify(errorBody(error)), { status: error.status, headers });
};

/** What any route answers when something fails that nothing anticipated. */
export const UNHANDLED_ERRORS = errorCatalogue({ 500: ['internal_error'] });

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return errorResponse(err, c.get('requestId'), c.get('errorBody'));
  console.error(JSON.stringify({ level: 'error', request_id: c.get('requestId'), message: String(err), stack: (err as Error).stack }));
  return errorResponse(new ApiError(500, 'internal_error', 'internal_error', 'An internal error occurred.'), c.get('requestId'), c.get('errorBody'));
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(
    new ApiError(404, 'not_found_error', 'route_not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`),
    c.get('requestId'),
    c.get('errorBody'),
  );
