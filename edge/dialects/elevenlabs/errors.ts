import type { ApiError } from '../../../shared/errors.ts';

/**
 * ElevenLabs' error body: `{ "detail": { "status": <code>, "message": <text> } }`. The status
 * codes and codes are the API's own (the same refusal answers the same on either dialect), so a
 * client branches on `detail.status` as it would on `error.code`; `param`, when there is one, stays.
 */
export const elevenLabsErrorBody = (error: ApiError) => ({
  detail: { status: error.code, message: error.message, ...(error.param ? { param: error.param } : {}) },
});
