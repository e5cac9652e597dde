import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import { settledUsage } from '../accounts/account-ledger.ts';
import { ACCOUNT_STATE_ERRORS } from '../accounts/account-stub.ts';
import { CACHE_STATUSES } from '../cache/cache-status.ts';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, errorResponses, jsonResponse, queryParameters } from '../openapi/index.ts';
import { NO_CACHE_GROUP, type UsageGroup, type UsageTotals, UsageTotalsSchema } from '../storage/usage-ledger.ts';

/**
 * `GET /v1/usage?start=YYYY-MM-DD&end=YYYY-MM-DD&group_by=day|key|token|model|kind|cache`: the key's account's
 * usage from the ledger (speech, and voices created: `kind`; audio cache hits and misses: `cache`), between two UTC
 * dates (both included), grouped. Defaults: the last 30 days, by day. And the account's credits now: its balance,
 * and what running streams hold.
 */
export const usageRoute = new Hono<AppEnv>();

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;

const date = z.iso.date();
const UsageQuerySchema = z.object({
  start: date.optional().describe('The first UTC day, YYYY-MM-DD; default: 29 days before `end`.'),
  end: date.optional().describe('The last UTC day, YYYY-MM-DD; default: today.'),
  group_by: z
    .enum(['day', 'key', 'token', 'model', 'kind', 'cache'])
    .default('day')
    .describe(`What to total by. \`cache\`: what the audio cache did for speech requests (\`hit\`, \`miss\`, \`off\`), \`${NO_CACHE_GROUP}\` for rows it did not see (voices created, job chunks).`),
});

const UsageRowSchema = UsageTotalsSchema.extend({
  date: z.string().optional(),
  key_id: z.string().optional(),
  token_id: z.string().nullable().optional().describe('The client token (`POST /v1/tokens`) the requests came with; null for requests made with a key itself.'),
  model: z.string().optional(),
  kind: z.string().optional(),
  cache: z
    .enum([...CACHE_STATUSES, NO_CACHE_GROUP])
    .optional()
    .describe(`Whether the requests were served from the audio cache (\`hit\`), rendered and stored (\`miss\`) or kept out of it (\`off\`); \`${NO_CACHE_GROUP}\`: rows the cache did not see.`),
}).describe('One group: its `date`, `key_id`, `token_id`, `model`, `kind` or `cache` (as `group_by`), and its totals.');

const GROUP_FIELD: Record<UsageGroup, Exclude<keyof z.infer<typeof UsageRowSchema>, keyof UsageTotals>> = {
  day: 'date',
  key: 'key_id',
  token: 'token_id',
  model: 'model',
  kind: 'kind',
  cache: 'cache',
};

const UsageSchema = z
  .object({
    object: z.literal('usage'),
    account_id: z.string(),
    start: z.string().describe('YYYY-MM-DD'),
    end: z.string().describe('YYYY-MM-DD'),
    group_by: UsageQuerySchema.shape.group_by.unwrap(),
    balance: z.number().describe('Credits available for new requests now (1 credit = 1 input character).'),
    reserved: z.number().describe('Credits held by streams running now, until they settle.'),
    totals: UsageTotalsSchema,
    data: z.array(UsageRowSchema),
  })
  .meta({ id: 'Usage' });

const usageDocs = describeRoute({
  tags: ['Usage'],
  operationId: 'getUsage',
  summary: 'Get usage and credits',
  description:
    "The account's usage from the ledger (speech, and voices created) between two UTC dates, both included, grouped (by day, key, client token, model, kind, or what the audio cache did: `group_by=cache`); and its credits now.",
  security: apiKeySecurity('usage'),
  responses: {
    200: jsonResponse('The usage.', UsageSchema),
    ...errorResponses(API_KEY_ERRORS, errorCatalogue({ 400: ['invalid_parameter', 'invalid_date_range'] }), ACCOUNT_STATE_ERRORS),
  },
});

usageRoute.get('/v1/usage', usageDocs, queryParameters(UsageQuerySchema), apiKeyAuth('usage'), async (c) => {
  const parsed = UsageQuerySchema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.');
    throw invalidRequest('invalid_parameter', `${param}: ${param === 'start' || param === 'end' ? 'expected a date as YYYY-MM-DD' : issue.message}`, param);
  }
  const { group_by } = parsed.data;
  const end = parsed.data.end ?? new Date().toISOString().slice(0, 10);
  const start = parsed.data.start ?? new Date(Date.parse(end) - 29 * DAY_MS).toISOString().slice(0, 10);
  const days = (Date.parse(end) - Date.parse(start)) / DAY_MS + 1;
  if (days < 1) throw invalidRequest('invalid_date_range', `start (${start}) is after end (${end}).`, 'start');
  if (days > MAX_DAYS) throw invalidRequest('invalid_date_range', `The range spans ${days} days; the maximum is ${MAX_DAYS}.`, 'start');

  const accountId = c.get('apiKey').account_id;
  const from = `${start}T00:00:00.000Z`;
  const to = new Date(Date.parse(end) + DAY_MS).toISOString();
  const { snapshot, ledger } = await settledUsage(c.env, accountId);
  const { balance, reserved } = snapshot;
  const groups = await ledger.grouped(accountId, from, to, group_by);
  const totals: UsageTotals = { requests: 0, characters: 0, audio_ms: 0, credits_charged: 0 };
  for (const row of groups) for (const field of Object.keys(totals) as (keyof UsageTotals)[]) totals[field] += row[field];
  return c.json({
    object: 'usage',
    account_id: accountId,
    start,
    end,
    group_by,
    balance,
    reserved,
    totals,
    data: groups.map(({ group, ...row }) => ({ [GROUP_FIELD[group_by]]: group, ...row })),
  } satisfies z.infer<typeof UsageSchema>);
});
