import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { bodyLimit } from '../http/body-limit.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { dictionaryObject, DictionarySchema, newDictionaryId } from '../pronunciation/dictionaries/dictionary-object.ts';
import { dictionaryStore } from '../pronunciation/dictionaries/dictionary-store.ts';
import {
  CREATE_BODY_ERRORS,
  CreateFormSchema,
  CreateJsonSchema,
  MAX_DICTIONARY_BODY_BYTES,
  readNewDictionary,
} from '../pronunciation/dictionaries/request-bodies.ts';

/**
 * `POST /v1/pronunciation-dictionaries`: a dictionary from rules (JSON: `name`, `description`,
 * `rules`) or from a PLS file (multipart: `file`, `name`, `description`). 201 with its version 1.
 */
export const createDictionaryRoute = new Hono<AppEnv>();

const createDictionaryDocs = describeRoute({
  tags: ['Pronunciation'],
  operationId: 'createPronunciationDictionary',
  summary: 'Create a pronunciation dictionary',
  description:
    'From alias and phoneme rules as JSON, or from a W3C PLS 1.0 file as multipart `file`. A phoneme must be one of its alphabet (`ipa` or `x-sampa`); a rule for a string that an earlier rule has replaces it. The dictionary starts at version 1.',
  security: apiKeySecurity('voices'),
  requestBody: { required: true, content: { ...requestBody(CreateJsonSchema).content, ...requestBody(CreateFormSchema, 'multipart/form-data').content } },
  responses: { 201: jsonResponse('The new dictionary, with its rules.', DictionarySchema), ...errorResponses(API_KEY_ERRORS, CREATE_BODY_ERRORS) },
});

createDictionaryRoute.post('/v1/pronunciation-dictionaries', createDictionaryDocs, apiKeyAuth('voices'), bodyLimit(MAX_DICTIONARY_BODY_BYTES), async (c) => {
  const { name, description, rules } = await readNewDictionary(c);
  const row = await dictionaryStore(c.env).create({ id: newDictionaryId(), account_id: c.get('apiKey').account_id, name, description, created_at: new Date().toISOString() }, rules);
  return c.json(dictionaryObject(row, 1, rules), 201);
});
