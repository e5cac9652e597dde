import { ApiError } from '../../shared/errors.ts';
import { WORKER_ROUTE_ERROR_CODES } from '../../shared/protocol/worker-errors.ts';
import { errorCatalogue, mergeCatalogues } from '../openapi/error-catalogue.ts';
import { POOL_ERRORS } from './worker-pool.ts';

export const badWorkerAnswer = (message: string) => new ApiError(502, 'internal_error', 'worker_error', message);

/** A worker's error answer as the client gets it: the worker's own error, forwarded, or a 502 when the body is not one. */
export const forwardedError = (status: number, body: unknown, worker: 'speech' | 'voice'): ApiError =>
  ApiError.fromBody(status, body) ?? badWorkerAnswer(`The ${worker} worker answered ${status}.`);

/** What sending a request to a worker's `route` through the pool can answer: no worker, its refusals (forwarded), a bad answer. */
export const workerCallErrors = (route: keyof typeof WORKER_ROUTE_ERROR_CODES) =>
  mergeCatalogues(POOL_ERRORS, errorCatalogue(WORKER_ROUTE_ERROR_CODES[route]), errorCatalogue({ 502: ['worker_error'] }));
