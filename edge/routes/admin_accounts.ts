import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { accountObject } from '../accounts/account-stub.ts';
import { DEFAULT_LIMITS } from '../accounts/types.ts';
import type { AppEnv, Env } from '../env.ts';
import { readJsonBody } from '../http/json-body.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { D1AccountStore } from '../storage/accounts.ts';
import { D1CreditGrants } from '../storage/credit-grants.ts';
import { D1UsageLedger } from '../storage/usage-ledger.ts';

/**
 * `POST /admin/accounts`, `GET /admin/accounts/{id}`: accounts own keys and pay for usage. D1
 * records the account; its Durable Object holds its balance and limits.
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

const CreateAccountSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    credits: z.number().int().min(0).max(1e12).default(0),
    limits: LimitsSchema.default({}),
  })
  .strict();

export const accountNotFound = (id: string) => new ApiError(404, 'not_found_error', 'account_not_found', `Account "${id}" does not exist.`);

/** The account as the admin API shows it: record, balance, limits, live state and usage totals. */
export async function accountView(env: Env, id: string) {
  const account = await new D1AccountStore(env.DB).get(id);
  if (!account) throw accountNotFound(id);
  const [state, usage] = await Promise.all([accountObject(env, id).snapshot(), new D1UsageLedger(env.DB).totals(id)]);
  if (!state) throw new ApiError(500, 'internal_error', 'account_state_missing', `Account "${id}" has no balance or limits.`);
  return {
    ...account,
    object: 'account',
    balance: state.balance,
    reserved: state.reserved,
    limits: state.limits,
    voices: state.voices,
    active_streams: state.active_streams,
    streams: state.streams,
    usage,
  };
}

adminAccountsRoute.post('/admin/accounts', adminAuth, async (c) => {
  const { name, credits, limits } = await readJsonBody(c, CreateAccountSchema);
  const account = await new D1AccountStore(c.env.DB).create(name);
  await accountObject(c.env, account.id).initialize({ account_id: account.id, credits, limits: { ...DEFAULT_LIMITS, ...limits } });
  if (credits > 0) await new D1CreditGrants(c.env.DB).record(account.id, credits, credits, 'initial credits');
  return c.json(await accountView(c.env, account.id), 201);
});

adminAccountsRoute.get('/admin/accounts/:id', adminAuth, async (c) => c.json(await accountView(c.env, c.req.param('id'))));
