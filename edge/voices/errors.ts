import { ApiError } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';

export const VOICE_NOT_FOUND_ERRORS = errorCatalogue({ 404: ['voice_not_found'] });

/** The one answer for a voice the caller's account does not have: 404, never 403, so ids leak nothing. */
export const voiceNotFound = (id: string) =>
  new ApiError(404, 'not_found_error', 'voice_not_found', `Voice "${id}" does not exist. GET /v1/voices lists the voices.`, { param: 'voice' });
