import { Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { apiKeyAuth } from '../middleware/api-key-auth.ts';
import { D1UsageLedger, type UsageGroup, type UsageTotals } from '../storage/usage-ledger.ts';

/**
 * `GET /v1/usage?start=YYYY-MM-DD&end=YYYY-MM-DD&group_by=day|key|model|kind`: the key's account's
 * usage from the ledger (speech, and voices created: `kind`), between two UTC dates (both included), grouped. Defaults: the last 30
 * days, by day.
 */
export const usageRoute = new Hono<AppEnv>();

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const GROUP_FIELD: Record<UsageGroup, string> = { day: 'date', key: 'key_id', model: 'model', kind: 'kind' };

const date = z.iso.date();
const UsageQuerySchema = z.object({
  start: date.optional(),
  end: date.optional(),
  group_by: z.enum(['day', 'key', 'model', 'kind']).default('day'),
});

usageRoute.get('/v1/usage', apiKeyAuth('usage'), async (c) => {
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
  const groups = await new D1UsageLedger(c.env.DB).grouped(accountId, from, to, group_by);
  const totals: UsageTotals = { requests: 0, characters: 0, audio_ms: 0, credits_charged: 0 };
  for (const row of groups) for (const field of Object.keys(totals) as (keyof UsageTotals)[]) totals[field] += row[field];
  return c.json({
    object: 'usage',
    account_id: accountId,
    start,
    end,
    group_by,
    totals,
    data: groups.map(({ group, ...row }) => ({ [GROUP_FIELD[group_by]]: group, ...row })),
  });
});
