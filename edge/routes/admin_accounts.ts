import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { settledUsage } from '../accounts/account-ledger.ts';
import { ACCOUNT_STATE_ERRORS, accountObject, setAccountAudioCache } from '../accounts/account-stub.ts';
import { type AccountLimits, DEFAULT_LIMITS } from '../accounts/types.ts';
import type { AppEnv, Env } from '../env.ts';
import { JSON_BODY_ERRORS, readJsonBody } from '../http/json-body.ts';
import { ADMIN_AUTH_ERRORS, adminAuth } from '../middleware/admin-auth.ts';
import { ADMIN_SECURITY, errorCatalogue, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { D1AccountStore } from '../storage/accounts.ts';
import { D1CreditGrants } from '../storage/credit-grants.ts';
import { UsageTotalsSchema } from '../storage/usage-ledger.ts';

/**
 * `POST /admin/accounts`, `GET /admin/accounts/{id}`, `PATCH /admin/accounts/{id}`: accounts own
 * keys and pay for usage. D1 records the account; its Durable Object holds its balance, limits and
 * audio-cache setting.
 */
export const adminAccountsRoute = new Hono<AppEnv>();

const LimitsSchema = z
  .object({
    requests_per_minute: z.number().int().min(1).max(1_000_000),
    characters_per_minute: z.number().int().min(1).max(1_000_000_000),
    concurrent_streams: z.number().int().min(1).max(10_000),
    max_voices: z.number().int().min(0).max(100_000),
  })
  .partial()
  .strict();

const AudioCacheSetting = z
  .boolean()
  .describe("Whether the audio cache serves the account's speech; false: every request renders, as with `cache: \"off\"`.");

const CreateAccountSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    credits: z.number().int().min(0).max(1e12).default(0),
    limits: LimitsSchema.default({}),
    audio_cache: AudioCacheSetting.default(true),
  })
  .strict();

const UpdateAccountSchema = z.object({ audio_cache: AudioCacheSetting }).strict();

export const ACCOUNT_NOT_FOUND_ERRORS = errorCatalogue({ 404: ['account_not_found'] });
export const accountNotFound = (id: string) => new ApiError(404, 'not_found_error', 'account_not_found', `Account "${id}" does not exist.`);

/** The `{id}` of /admin/accounts/{id}/…. */
export const ACCOUNT_ID = { in: 'path', name: 'id', required: true, schema: { type: 'string' }, description: 'An account id, `acct_…`.' } as const;

const AccountSchema = z
  .object({
    id: z.string(),
    object: z.literal('account'),
    name: z.string(),
    created_at: z.string(),
    balance: z.number().describe('Credits available for new requests.'),
    reserved: z.number().describe('Credits held by running streams until they settle.'),
    limits: z.object({
      requests_per_minute: z.number().int(),
      characters_per_minute: z.number().int(),
      concurrent_streams: z.number().int(),
      max_voices: z.number().int(),
    }) satisfies z.ZodType<AccountLimits>,
    audio_cache: AudioCacheSetting,
    voices: z.number().int().describe('Cloned and designed voices the account has.'),
    active_streams: z.number().int(),
    streams: z.array(
      z.object({ request_id: z.string(), key_id: z.string(), reserved: z.number(), delivered_audio_ms: z.number(), charge_so_far: z.number() }),
    ),
    usage: UsageTotalsSchema.describe('All-time totals.'),
  })
  .meta({ id: 'Account' });

/** The account as the admin API shows it: record, balance, limits, live state and usage totals. */
export async function accountView(env: Env, id: string): Promise<z.infer<typeof AccountSchema>> {
  const account = await new D1AccountStore(env.DB).get(id);
  if (!account) throw accountNotFound(id);
  const { snapshot: state, ledger } = await settledUsage(env, id);
  const usage = await ledger.totals(id);
  return {
    ...account,
    object: 'account',
    balance: state.balance,
    reserved: state.reserved,
    limits: state.limits,
    audio_cache: state.audio_cache,
    voices: state.voices,
    active_streams: state.active_streams,
    streams: state.streams,
    usage,
  };
}

const createAccountDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'createAccount',
  summary: 'Create an account',
  security: ADMIN_SECURITY,
  requestBody: requestBody(CreateAccountSchema),
  responses: { 201: jsonResponse('The new account.', AccountSchema), ...errorResponses(ADMIN_AUTH_ERRORS, JSON_BODY_ERRORS, ACCOUNT_STATE_ERRORS) },
});

const getAccountDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'getAccount',
  summary: 'Get an account',
  security: ADMIN_SECURITY,
  parameters: [ACCOUNT_ID],
  responses: { 200: jsonResponse('The account.', AccountSchema), ...errorResponses(ADMIN_AUTH_ERRORS, ACCOUNT_NOT_FOUND_ERRORS, ACCOUNT_STATE_ERRORS) },
});

const updateAccountDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'updateAccount',
  summary: "Change an account's settings",
  description: 'Turns the audio cache on or off for the account, from its next request on.',
  security: ADMIN_SECURITY,
  parameters: [ACCOUNT_ID],
  requestBody: requestBody(UpdateAccountSchema),
  responses: {
    200: jsonResponse('The account, changed.', AccountSchema),
    ...errorResponses(ADMIN_AUTH_ERRORS, ACCOUNT_NOT_FOUND_ERRORS, JSON_BODY_ERRORS, ACCOUNT_STATE_ERRORS),
  },
});

adminAccountsRoute.post('/admin/accounts', createAccountDocs, adminAuth, async (c) => {
  const { name, credits, limits, audio_cache } = await readJsonBody(c, CreateAccountSchema);
  const account = await new D1AccountStore(c.env.DB).create(name);
  await accountObject(c.env, account.id).initialize({ account_id: account.id, credits, limits: { ...DEFAULT_LIMITS, ...limits }, audio_cache });
  if (credits > 0) await new D1CreditGrants(c.env.DB).record(account.id, credits, credits, 'initial credits');
  return c.json(await accountView(c.env, account.id), 201);
});

adminAccountsRoute.get('/admin/accounts/:id', getAccountDocs, adminAuth, async (c) => c.json(await accountView(c.env, c.req.param('id'))));

adminAccountsRoute.patch('/admin/accounts/:id', updateAccountDocs, adminAuth, async (c) => {
  const id = c.req.param('id');
  if (!(await new D1AccountStore(c.env.DB).get(id))) throw accountNotFound(id);
  const { audio_cache } = await readJsonBody(c, UpdateAccountSchema);
  await setAccountAudioCache(c.env, id, audio_cache);
  return c.json(await accountView(c.env, id));
});
