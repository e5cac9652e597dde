import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { ACCOUNT_STATE_ERRORS, accountObject, accountStateMissing } from '../accounts/account-stub.ts';
import type { AppEnv } from '../env.ts';
import { JSON_BODY_ERRORS, readJsonBody } from '../http/json-body.ts';
import { ADMIN_AUTH_ERRORS, adminAuth } from '../middleware/admin-auth.ts';
import { ADMIN_SECURITY, errorCatalogue, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { D1AccountStore } from '../storage/accounts.ts';
import { D1CreditGrants } from '../storage/credit-grants.ts';
import { ACCOUNT_ID, ACCOUNT_NOT_FOUND_ERRORS, accountNotFound } from './admin_accounts.ts';

/** `POST /admin/accounts/{id}/credits`: adds credits, or removes them with a negative amount. */
export const adminCreditsRoute = new Hono<AppEnv>();

const CreditsSchema = z
  .object({
    amount: z
      .number()
      .int()
      .min(-1e12)
      .max(1e12)
      .refine((n) => n !== 0, 'must not be zero')
      .describe('Credits to add; negative to remove.'),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();

const CreditGrantSchema = z
  .object({
    object: z.literal('credit_grant'),
    id: z.string(),
    account_id: z.string(),
    amount: z.number().int(),
    balance: z.number().describe('The balance after the change.'),
  })
  .meta({ id: 'CreditGrant' });

const addCreditsDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'changeCredits',
  summary: "Change an account's credits",
  security: ADMIN_SECURITY,
  parameters: [ACCOUNT_ID],
  requestBody: requestBody(CreditsSchema),
  responses: {
    201: jsonResponse('The change, recorded.', CreditGrantSchema),
    ...errorResponses(ADMIN_AUTH_ERRORS, ACCOUNT_NOT_FOUND_ERRORS, JSON_BODY_ERRORS, errorCatalogue({ 409: ['balance_too_low'] }), ACCOUNT_STATE_ERRORS),
  },
});

adminCreditsRoute.post('/admin/accounts/:id/credits', addCreditsDocs, adminAuth, async (c) => {
  const id = c.req.param('id');
  if (!(await new D1AccountStore(c.env.DB).get(id))) throw accountNotFound(id);
  const { amount, reason } = await readJsonBody(c, CreditsSchema);
  const change = await accountObject(c.env, id).addCredits(amount);
  if (!change) throw accountStateMissing(id, 'balance');
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
  return c.json({ object: 'credit_grant', id: grantId, account_id: id, amount, balance: change.balance } satisfies z.infer<typeof CreditGrantSchema>, 201);
});
