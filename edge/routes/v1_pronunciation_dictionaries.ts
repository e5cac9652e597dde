import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, errorResponses, jsonResponse, queryParameters } from '../openapi/index.ts';
import { DictionaryListSchema, dictionarySummary } from '../pronunciation/dictionaries/dictionary-object.ts';
import { dictionaryStore } from '../pronunciation/dictionaries/dictionary-store.ts';

/** `GET /v1/pronunciation-dictionaries`: the account's dictionaries, newest first, a page at a time (without their rules). */
export const listDictionariesRoute = new Hono<AppEnv>();

const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Dictionaries per page, 1 to 100 (default 20).'),
  after: z.string().optional().describe("The previous page's `next_after`: the dictionaries created before that one."),
});
const LIST_ERRORS = errorCatalogue({ 400: ['invalid_parameter', 'invalid_cursor'] });

const listDictionariesDocs = describeRoute({
  tags: ['Pronunciation'],
  operationId: 'listPronunciationDictionaries',
  summary: 'List pronunciation dictionaries',
  description: "The account's dictionaries, newest first, without their rules (`GET /v1/pronunciation-dictionaries/{id}` has them).",
  security: apiKeySecurity('speech', 'voices'),
  responses: { 200: jsonResponse('A page of dictionaries.', DictionaryListSchema), ...errorResponses(API_KEY_ERRORS, LIST_ERRORS) },
});

listDictionariesRoute.get('/v1/pronunciation-dictionaries', listDictionariesDocs, queryParameters(ListQuerySchema), apiKeyAuth('speech', 'voices'), async (c) => {
  const parsed = ListQuerySchema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidRequest('invalid_parameter', `${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
  }
  const page = await dictionaryStore(c.env).page(c.get('apiKey').account_id, parsed.data);
  if (!page) throw invalidRequest('invalid_cursor', `after: the account has no dictionary ${JSON.stringify(parsed.data.after)}.`, 'after');
  return c.json({
    object: 'list',
    data: page.dictionaries.map(dictionarySummary),
    has_more: page.next !== null,
    next_after: page.next,
  } satisfies z.infer<typeof DictionaryListSchema>);
});
