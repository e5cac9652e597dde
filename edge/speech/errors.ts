import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import type { PoolModel } from '../pool/worker-pool.ts';

/** What a speech request is refused with when it breaks a rule its schema cannot say, or names what the pool lacks. */
export const SPEECH_REQUEST_ERRORS = errorCatalogue({
  400: ['empty_input', 'unsupported_sample_rate', 'unsupported_bitrate', 'invalid_ssml'],
  404: ['model_not_found', 'voice_not_found', 'pronunciation_dictionary_not_found', 'pronunciation_dictionary_version_not_found'],
  413: ['input_too_long'],
  422: ['unsupported_language'],
});

export const modelNotFound = (id: string, models: Map<string, PoolModel>) =>
  new ApiError(404, 'not_found_error', 'model_not_found', `Model "${id}" does not exist. Available: ${[...models.keys()].join(', ')}.`, {
    param: 'model',
  });

export const presetNotFound = (id: string, model: PoolModel) =>
  new ApiError(
    404,
    'not_found_error',
    'voice_not_found',
    `Voice "${id}" does not exist for model "${model.info.id}". GET /v1/voices lists the voices.`,
    { param: 'voice' },
  );

export const unsupportedLanguage = (language: string, model: PoolModel, models: Map<string, PoolModel>) => {
  const others = [...models.values()].filter((m) => m.info.languages.includes(language)).map((m) => m.info.id);
  const hint = others.length ? `Models that speak it: ${others.join(', ')}.` : 'No model in this deployment speaks it.';
  return new ApiError(
    422,
    'invalid_request_error',
    'unsupported_language',
    `Model "${model.info.id}" does not speak "${language}" (it speaks ${model.info.languages.join(', ')}). ${hint}`,
    { param: 'language' },
  );
};

// The input's own refusals live apart (no pool types), so code that only reads input can use them.
export { emptyInput, inputTooLong } from './input-errors.ts';

export const unsupportedSampleRate = (message: string) => invalidRequest('unsupported_sample_rate', message, 'sample_rate');

export const unsupportedBitrate = (message: string) => invalidRequest('unsupported_bitrate', message, 'bitrate');
