import { ApiError } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';

/** A worker that failed part-way through a synthesis, after the pool could not continue it elsewhere. */
export const WORKER_FAILED_ERRORS = errorCatalogue({ 503: ['worker_failed'] });

export const workerFailed = (message: string) => new ApiError(503, 'service_unavailable', 'worker_failed', message);
