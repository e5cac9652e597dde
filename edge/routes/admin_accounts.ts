import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { readJsonBody } from '../http/json-body.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { D1AccountStore } from '../storage/accounts.ts';

/** `POST /admin/accounts`, `GET /admin/accounts/{id}`: accounts own keys and pay for usage. */
export const adminAccountsRoute = new Hono<AppEnv>();

const CreateAccountSchema = z.object({ name: z.string().trim().min(1).max(200) });

adminAccountsRoute.post('/admin/accounts', adminAuth, async (c) => {
  const { name } = await readJsonBody(c, CreateAccountSchema);
  const account = await new D1AccountStore(c.env.DB).create(name);
  return c.json(account, 201);
});

adminAccountsRoute.get('/admin/accounts/:id', adminAuth, async (c) => {
  const account = await new D1AccountStore(c.env.DB).get(c.req.param('id'));
  if (!account) throw new ApiError(404, 'not_found_error', 'account_not_found', `Account "${c.req.param('id')}" does not exist.`);
  return c.json(account);
});
