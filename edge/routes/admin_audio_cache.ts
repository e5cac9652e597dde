import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { ADMIN_AUTH_ERRORS, adminAuth } from '../middleware/admin-auth.ts';
import { ADMIN_SECURITY, errorResponses, jsonResponse, queryParameters } from '../openapi/index.ts';
import { D1AudioCacheIndex } from '../storage/audio-cache-index.ts';
import { ACCOUNT_NOT_FOUND_ERRORS, accountNotFound } from './admin_accounts.ts';
import { D1AccountStore } from '../storage/accounts.ts';

/**
 * `GET /admin/audio-cache`: what the audio cache holds (docs/cache.md), from its index: entries,
 * bytes, the hits they had (renderings saved) and entries waiting for the purge; all of it, or one
 * account's (`?account=`). Hits and misses over time, and the bytes served from the cache, are in
 * the request log and Analytics Engine (`cache`).
 */
export const adminAudioCacheRoute = new Hono<AppEnv>();

const QuerySchema = z.object({ account: z.string().optional().describe('An account id, `acct_…`: its entries alone. Absent: the whole cache, shared entries included.') });

const CacheTotalsSchema = z
  .object({
    object: z.literal('audio_cache'),
    account_id: z.string().nullable(),
    entries: z.number().int().describe('Renderings that can be served.'),
    bytes: z.number().int().describe('Their audio, in R2.'),
    hits: z.number().int().describe('Requests the entries answered with no worker call: renderings saved.'),
    doomed: z.number().int().describe('Entries a change or a bound doomed, waiting for the purge (within a minute).'),
  })
  .meta({ id: 'AudioCacheTotals' });

const docs = describeRoute({
  tags: ['Admin'],
  operationId: 'getAudioCache',
  summary: 'What the audio cache holds',
  security: ADMIN_SECURITY,
  responses: { 200: jsonResponse('The cache, or one account\'s part of it.', CacheTotalsSchema), ...errorResponses(ADMIN_AUTH_ERRORS, ACCOUNT_NOT_FOUND_ERRORS) },
});

adminAudioCacheRoute.get('/admin/audio-cache', docs, queryParameters(QuerySchema), adminAuth, async (c) => {
  const account = c.req.query('account');
  if (account !== undefined && !(await new D1AccountStore(c.env.DB).get(account))) throw accountNotFound(account);
  const totals = await new D1AudioCacheIndex(c.env.DB).totals(account);
  return c.json({ object: 'audio_cache', account_id: account ?? null, ...totals } satisfies z.infer<typeof CacheTotalsSchema>);
});
