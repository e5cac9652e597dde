import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, documentHeaders, errorResponses, queryParameters, REQUEST_ID_HEADERS } from '../openapi/index.ts';
import { dictionaryStore } from '../pronunciation/dictionaries/dictionary-store.ts';
import { VERSION_NOT_FOUND_ERRORS } from '../pronunciation/dictionaries/errors.ts';
import { findDictionary } from '../pronunciation/dictionaries/find-dictionary.ts';
import { writePls } from '../pronunciation/dictionaries/pls-write.ts';
import { readVersionQuery, VERSION_QUERY_ERRORS, VersionQuerySchema } from '../pronunciation/dictionaries/version-query.ts';
import { DICTIONARY_ID } from './v1_pronunciation_dictionaries_id.ts';

/** `GET /v1/pronunciation-dictionaries/{id}/download`: one version (default the latest) as a PLS 1.0 document. */
export const dictionaryDownloadRoute = new Hono<AppEnv>();

const downloadDictionaryDocs = describeRoute({
  tags: ['Pronunciation'],
  operationId: 'downloadPronunciationDictionary',
  summary: 'Download a pronunciation dictionary as PLS',
  description:
    'One version as a W3C PLS 1.0 document (`POST /v1/pronunciation-dictionaries` imports it back): a `<lexeme>` per rule. PLS has no matching options, so rules read back from it are case-sensitive and whole-word.',
  security: apiKeySecurity('speech', 'voices'),
  parameters: [DICTIONARY_ID],
  responses: {
    200: {
      description: 'The PLS document.',
      headers: { ...REQUEST_ID_HEADERS, ...documentHeaders({ 'content-disposition': '`attachment; filename="<id>-v<version>.pls"`.' }) },
      content: { 'application/pls+xml': { schema: { type: 'string' } } },
    },
    ...errorResponses(API_KEY_ERRORS, VERSION_QUERY_ERRORS, VERSION_NOT_FOUND_ERRORS),
  },
});

dictionaryDownloadRoute.get('/v1/pronunciation-dictionaries/:id/download', downloadDictionaryDocs, queryParameters(VersionQuerySchema), apiKeyAuth('speech', 'voices'), async (c) => {
  const version = readVersionQuery(c.req.query());
  const found = await findDictionary(dictionaryStore(c.env), c.get('apiKey').account_id, c.req.param('id'), version);
  return c.body(writePls(found.rules), 200, {
    'content-type': 'application/pls+xml; charset=utf-8',
    'content-disposition': `attachment; filename="${found.row.id}-v${found.version}.pls"`,
  });
});
