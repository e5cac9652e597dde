import { ApiError, invalidRequest } from '../../shared/errors.ts';

/** Refusals of a request's input itself: nothing to say, or too much. */
export const emptyInput = () => invalidRequest('empty_input', 'input must contain text to speak.', 'input');

export const inputTooLong = (characters: number, max: number) =>
  new ApiError(
    413,
    'invalid_request_error',
    'input_too_long',
    `input has ${characters} characters; the maximum is ${max}. Split longer text into several requests.`,
    { param: 'input' },
  );
