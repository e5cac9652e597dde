import { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { generateKeySecret, hashKeySecret, visiblePrefix } from '../auth/api-key-secret.ts';
import type { AppEnv } from '../env.ts';
import { readJsonBody } from '../http/json-body.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { D1AccountStore } from '../storage/accounts.ts';
import { type ApiKeyRecord, KEY_SCOPES, KvApiKeyStore } from '../storage/api-keys.ts';

/** `POST /admin/accounts/{id}/keys`: issues a key. Its secret is in this answer and nowhere else. */
export const adminKeysRoute = new Hono<AppEnv>();

const CreateKeySchema = z.object({
  scopes: z.array(z.enum(KEY_SCOPES as ['speech', 'voices', 'usage'])).min(1).default(['speech', 'voices', 'usage']),
  expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
  // A caller-chosen secret, for a fixed local demo key or keys moved from another system.
  secret: z
    .string()
    .regex(/^tts_[A-Za-z0-9_-]{20,200}$/, 'a key secret starts with "tts_" followed by 20 or more of A-Z a-z 0-9 _ -')
    .optional(),
});

adminKeysRoute.post('/admin/accounts/:id/keys', adminAuth, async (c) => {
  const accountId = c.req.param('id');
  const account = await new D1AccountStore(c.env.DB).get(accountId);
  if (!account) throw new ApiError(404, 'not_found_error', 'account_not_found', `Account "${accountId}" does not exist.`);
  const { scopes, expires_at, secret: chosen } = await readJsonBody(c, CreateKeySchema);

  const secret = chosen ?? generateKeySecret();
  const record: ApiKeyRecord = {
    id: `key_${crypto.randomUUID().replaceAll('-', '')}`,
    account_id: accountId,
    prefix: visiblePrefix(secret),
    scopes: [...new Set(scopes)],
    created_at: new Date().toISOString(),
    expires_at: expires_at === null ? null : new Date(expires_at).toISOString(),
  };
  const keys = new KvApiKeyStore(c.env.API_KEYS);
  const hash = await hashKeySecret(secret);
  if (chosen && (await keys.findByHash(hash))) {
    throw new ApiError(409, 'invalid_request_error', 'key_exists', 'A key with this secret already exists.', { param: 'secret' });
  }
  await keys.put(hash, record);
  return c.json({ ...record, key: secret }, 201);
});
