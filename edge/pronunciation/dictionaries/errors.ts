import { ApiError, invalidRequest } from '../../../shared/errors.ts';
import { MAX_RULES_PER_DICTIONARY } from '../../../shared/schemas/pronunciation.ts';
import { errorCatalogue } from '../../openapi/error-catalogue.ts';

/**
 * The refusals about dictionaries. Another account's dictionary is 404, exactly like one that
 * never existed, so ids leak nothing.
 */
export const DICTIONARY_NOT_FOUND_ERRORS = errorCatalogue({ 404: ['pronunciation_dictionary_not_found'] });
/** What reading one version of a dictionary refuses. */
export const VERSION_NOT_FOUND_ERRORS = errorCatalogue({ 404: [...DICTIONARY_NOT_FOUND_ERRORS.codes[404], 'pronunciation_dictionary_version_not_found'] });
/** What checking a list of rules refuses (dictionary-rules.ts). */
export const RULE_ERRORS = errorCatalogue({ 400: ['invalid_phoneme', 'too_many_rules'] });
export const PLS_ERRORS = errorCatalogue({ 400: ['invalid_pls'] });
export const CHANGE_ERRORS = errorCatalogue({ 404: ['pronunciation_dictionary_not_found'], 409: ['pronunciation_dictionary_contended'] });

export const dictionaryNotFound = (id: string, param: string) =>
  new ApiError(404, 'not_found_error', 'pronunciation_dictionary_not_found', `Pronunciation dictionary "${id}" does not exist. GET /v1/pronunciation-dictionaries lists the account's.`, {
    param,
  });

export const versionNotFound = (id: string, version: number, latest: number | undefined, param: string) =>
  new ApiError(
    404,
    'not_found_error',
    'pronunciation_dictionary_version_not_found',
    `Pronunciation dictionary "${id}" has no version ${version}${latest === undefined ? '' : ` (its versions are 1 to ${latest})`}.`,
    { param },
  );

/** 409 for a change that other changes of the same dictionary kept landing ahead of. */
export const dictionaryContended = (id: string) =>
  new ApiError(409, 'invalid_request_error', 'pronunciation_dictionary_contended', `Pronunciation dictionary "${id}" kept changing while this change was made; send it again.`, { param: 'id' });

export const tooManyRules = (count: number, param: string) =>
  invalidRequest('too_many_rules', `A dictionary holds at most ${MAX_RULES_PER_DICTIONARY} rules; this would make ${count}.`, param);

/** A PLS file the parser refused, at a line and column of it (both 1-based). */
export const invalidPls = (reason: string, line: number, column: number) => invalidRequest('invalid_pls', `The PLS file is not valid at line ${line}, column ${column}: ${reason}`, 'file');
