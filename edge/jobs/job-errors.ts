import { ApiError } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import type { JobHold } from '../accounts/types.ts';

export const JOB_NOT_FOUND_ERRORS = errorCatalogue({ 404: ['job_not_found'] });

/** Another account's job is not found, exactly like one that never existed. */
export const jobNotFound = (id: string) =>
  new ApiError(404, 'not_found_error', 'job_not_found', `The account has no job ${JSON.stringify(id)}. GET /v1/audio/jobs lists its jobs.`);

export const JOB_HOLD_ERRORS = errorCatalogue({ 402: ['insufficient_credits'], 429: ['rate_limit_requests'] });

/** A job the account's object would not hold credits for. */
export function jobHoldRefusal(refusal: Extract<JobHold, { ok: false }>, characters: number): ApiError {
  switch (refusal.reason) {
    case 'insufficient_credits':
      return new ApiError(402, 'insufficient_credits', 'insufficient_credits', `This job needs ${characters} credits (one a character), held until it ends; the account has ${refusal.balance ?? 0}.`);
    case 'requests_per_minute': {
      const seconds = refusal.retry_after_seconds ?? 1;
      return new ApiError(429, 'rate_limit_error', 'rate_limit_requests', `The account's requests-per-minute limit is reached; try again in ${seconds} s.`, {
        headers: { 'retry-after': String(seconds) },
      });
    }
    default:
      return new ApiError(401, 'authentication_error', 'invalid_api_key', `The key cannot create jobs (${refusal.reason}).`);
  }
}

export const JOB_AUDIO_ERRORS = errorCatalogue({ 409: ['job_not_ready'], 410: ['job_audio_deleted'], 416: ['range_not_satisfiable'] });

export const jobAudioDeleted = (id: string) =>
  new ApiError(410, 'invalid_request_error', 'job_audio_deleted', `Job ${id}'s audio was deleted when its retention ended.`);
