import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { AppEnv } from '../env.ts';
import { readJsonBody } from '../http/json-body.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { D1AccountStore } from '../storage/accounts.ts';
import { D1CreditGrants } from '../storage/credit-grants.ts';
import { accountNotFound } from './admin_accounts.ts';

/** `POST /admin/accounts/{id}/credits`: adds credits, or removes them with a negative amount. */
export const adminCreditsRoute = new Hono<AppEnv>();

const CreditsSchema = z
  .object({
    amount: z
      .number()
      .int()
      .min(-1e12)
      .max(1e12)
      .refine((n) => n !== 0, 'must not be zero'),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();

adminCreditsRoute.post('/admin/accounts/:id/credits', adminAuth, async (c) => {
  const id = c.req.param('id');
  if (!(await new D1AccountStore(c.env.DB).get(id))) throw accountNotFound(id);
  const { amount, reason } = await readJsonBody(c, CreditsSchema);
  const change = await accountObject(c.env, id).addCredits(amount);
  if (!change) throw new ApiError(500, 'internal_error', 'account_state_missing', `Account "${id}" has no balance.`);
  if (!change.ok) {
    throw new ApiError(
      409,
      'invalid_request_error',
      'balance_too_low',
      `Removing ${-amount} credits would take the balance below zero; it is ${change.balance}.`,
      { param: 'amount' },
    );
  }
  const grantId = await new D1CreditGrants(c.env.DB).record(id, amount, change.balance, reason ?? null);
  return c.json({ object: 'credit_grant', id: grantId, account_id: id, amount, balance: change.balance }, 201);
});
