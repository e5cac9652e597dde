import { type Context, Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { purgeBehind } from '../cache/purge.ts';
import type { AppEnv } from '../env.ts';
import { readJsonBody } from '../http/json-body.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { DictionarySummarySchema, dictionarySummary } from '../pronunciation/dictionaries/dictionary-object.ts';
import { addRules, removeRules } from '../pronunciation/dictionaries/dictionary-rules.ts';
import { dictionaryStore } from '../pronunciation/dictionaries/dictionary-store.ts';
import { CHANGE_ERRORS, dictionaryContended, dictionaryNotFound } from '../pronunciation/dictionaries/errors.ts';
import {
  checkedRules,
  MAX_DICTIONARY_BODY_BYTES,
  RULES_BODY_ERRORS,
  RuleStringsBodySchema,
  RulesBodySchema,
} from '../pronunciation/dictionaries/request-bodies.ts';
import { D1AudioCacheIndex } from '../storage/audio-cache-index.ts';
import type { RulesChange } from '../storage/pronunciation-dictionaries.ts';
import { DICTIONARY_ID } from './v1_pronunciation_dictionaries_id.ts';

/**
 * Changing a dictionary's rules; each change makes a new version, and the old ones stay readable
 * (and usable, by a request that pins one):
 * - `POST /v1/pronunciation-dictionaries/{id}/rules`: rules added; one for a string already there replaces it.
 * - `POST /v1/pronunciation-dictionaries/{id}/rules/remove`: the rules of these strings removed.
 * - `PUT /v1/pronunciation-dictionaries/{id}/rules`: these rules instead of all the old ones.
 */
export const dictionaryRulesRoute = new Hono<AppEnv>();

const NewVersionSchema = DictionarySummarySchema.extend({
  version: z.number().int().describe('The version the change made (now the latest).'),
});
const RemovedSchema = NewVersionSchema.extend({
  not_found: z.array(z.string()).describe('The strings that had no rule (nothing was removed for them).'),
});

const changeDocs = (operationId: string, summary: string, description: string, body: z.ZodType, answer: z.ZodType = NewVersionSchema) =>
  describeRoute({
    tags: ['Pronunciation'],
    operationId,
    summary,
    description: `${description} Makes a new version; the old ones stay readable, and a speech request pinned to one still says it the old way.`,
    security: apiKeySecurity('voices'),
    parameters: [DICTIONARY_ID],
    requestBody: requestBody(body),
    responses: { 200: jsonResponse('The new version.', answer), ...errorResponses(API_KEY_ERRORS, RULES_BODY_ERRORS, CHANGE_ERRORS) },
  });

/** Stores the change as the next version, dooms the audio cached with the dictionary, and answers it. */
async function changeRules(c: Context<AppEnv>, change: RulesChange) {
  const id = c.req.param('id')!;
  const accountId = c.get('apiKey').account_id;
  const row = await dictionaryStore(c.env).addVersion(accountId, id, change);
  if (row === 'not_found') throw dictionaryNotFound(id, 'id');
  if (row === 'contended') throw dictionaryContended(id);
  // Every older version's entries, not only the last one's: a new version makes them stale.
  await new D1AudioCacheIndex(c.env.DB).doomDictionary(accountId, id);
  purgeBehind(c.env, c.executionCtx);
  return { ...dictionarySummary(row), version: row.latest_version } satisfies z.infer<typeof NewVersionSchema>;
}

dictionaryRulesRoute.post(
  '/v1/pronunciation-dictionaries/:id/rules',
  changeDocs('addPronunciationRules', 'Add rules', 'Adds rules; a rule for a `string_to_replace` the dictionary has replaces the old one.', RulesBodySchema),
  apiKeyAuth('voices'),
  async (c) => {
    const added = checkedRules((await readJsonBody(c, RulesBodySchema, MAX_DICTIONARY_BODY_BYTES)).rules);
    return c.json(await changeRules(c, (current) => addRules(current, added)));
  },
);

dictionaryRulesRoute.post(
  '/v1/pronunciation-dictionaries/:id/rules/remove',
  changeDocs('removePronunciationRules', 'Remove rules', 'Removes the rules of these strings; a string with no rule is listed in `not_found`.', RuleStringsBodySchema, RemovedSchema),
  apiKeyAuth('voices'),
  async (c) => {
    const { rule_strings } = await readJsonBody(c, RuleStringsBodySchema, MAX_DICTIONARY_BODY_BYTES);
    // The change may run again on a newer version (another change landed first): the last run's answer counts.
    let notFound: string[] = [];
    const version = await changeRules(c, (current) => {
      const removed = removeRules(current, rule_strings);
      notFound = removed.notFound;
      return removed.rules;
    });
    return c.json({ ...version, not_found: notFound } satisfies z.infer<typeof RemovedSchema>);
  },
);

dictionaryRulesRoute.put(
  '/v1/pronunciation-dictionaries/:id/rules',
  changeDocs('setPronunciationRules', 'Replace all rules', 'Replaces all the rules with these.', RulesBodySchema),
  apiKeyAuth('voices'),
  async (c) => {
    const rules = checkedRules((await readJsonBody(c, RulesBodySchema, MAX_DICTIONARY_BODY_BYTES)).rules);
    return c.json(await changeRules(c, () => rules));
  },
);
