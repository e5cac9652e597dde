import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { purgeBehind } from '../cache/purge.ts';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse, queryParameters } from '../openapi/index.ts';
import { dictionaryObject, DictionarySchema } from '../pronunciation/dictionaries/dictionary-object.ts';
import { dictionaryStore } from '../pronunciation/dictionaries/dictionary-store.ts';
import { DICTIONARY_NOT_FOUND_ERRORS, dictionaryNotFound, VERSION_NOT_FOUND_ERRORS } from '../pronunciation/dictionaries/errors.ts';
import { findDictionary } from '../pronunciation/dictionaries/find-dictionary.ts';
import { readVersionQuery, VERSION_QUERY_ERRORS, VersionQuerySchema } from '../pronunciation/dictionaries/version-query.ts';
import { D1AudioCacheIndex } from '../storage/audio-cache-index.ts';

/**
 * `GET /v1/pronunciation-dictionaries/{id}`: the dictionary with the rules of a version (default
 * its latest). `DELETE`: the dictionary and all its versions, which answer 404 from then on.
 * Another account's dictionary is 404 either way, exactly like one that never existed.
 */
export const dictionaryByIdRoute = new Hono<AppEnv>();

export const DICTIONARY_ID = { in: 'path', name: 'id', required: true, schema: { type: 'string' }, description: 'A `pd_…` id of the account.' } as const;

const DictionaryDeletedSchema = z.object({ id: z.string(), object: z.literal('pronunciation_dictionary.deleted'), deleted: z.literal(true) });

const getDictionaryDocs = describeRoute({
  tags: ['Pronunciation'],
  operationId: 'getPronunciationDictionary',
  summary: 'Get a pronunciation dictionary',
  description: 'The dictionary with the rules of one version, its latest unless `version` says which.',
  security: apiKeySecurity('speech', 'voices'),
  parameters: [DICTIONARY_ID],
  responses: { 200: jsonResponse('The dictionary.', DictionarySchema), ...errorResponses(API_KEY_ERRORS, VERSION_QUERY_ERRORS, VERSION_NOT_FOUND_ERRORS) },
});

const deleteDictionaryDocs = describeRoute({
  tags: ['Pronunciation'],
  operationId: 'deletePronunciationDictionary',
  summary: 'Delete a pronunciation dictionary',
  description: 'Deletes the dictionary and all its versions: a speech request naming any of them is refused with 404 from then on.',
  security: apiKeySecurity('voices'),
  parameters: [DICTIONARY_ID],
  responses: { 200: jsonResponse('The dictionary is deleted.', DictionaryDeletedSchema), ...errorResponses(API_KEY_ERRORS, DICTIONARY_NOT_FOUND_ERRORS) },
});

dictionaryByIdRoute.get('/v1/pronunciation-dictionaries/:id', getDictionaryDocs, queryParameters(VersionQuerySchema), apiKeyAuth('speech', 'voices'), async (c) => {
  const version = readVersionQuery(c.req.query());
  const found = await findDictionary(dictionaryStore(c.env), c.get('apiKey').account_id, c.req.param('id'), version);
  return c.json(dictionaryObject(found.row, found.version, found.rules));
});

dictionaryByIdRoute.delete('/v1/pronunciation-dictionaries/:id', deleteDictionaryDocs, apiKeyAuth('voices'), async (c) => {
  const id = c.req.param('id');
  const accountId = c.get('apiKey').account_id;
  if (!(await dictionaryStore(c.env).delete(accountId, id))) throw dictionaryNotFound(id, 'id');
  await new D1AudioCacheIndex(c.env.DB).doomDictionary(accountId, id);
  purgeBehind(c.env, c.executionCtx);
  return c.json({ id, object: 'pronunciation_dictionary.deleted', deleted: true } satisfies z.infer<typeof DictionaryDeletedSchema>);
});
