import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { accountObject } from '../accounts/account-stub.ts';
import { AllowedOriginsSchema } from '../auth/allowed-origins.ts';
import { generateKeySecret, hashKeySecret, visiblePrefix } from '../auth/api-key-secret.ts';
import type { AppEnv } from '../env.ts';
import { JSON_BODY_ERRORS, readJsonBody } from '../http/json-body.ts';
import { ADMIN_AUTH_ERRORS, adminAuth } from '../middleware/admin-auth.ts';
import { ADMIN_SECURITY, errorCatalogue, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { D1AccountStore } from '../storage/accounts.ts';
import { type ApiKeyView, D1ApiKeyIndex, KEY_SCOPES, KvApiKeyStore, kvRecordOf } from '../storage/api-keys.ts';
import { ACCOUNT_ID, ACCOUNT_NOT_FOUND_ERRORS, accountNotFound } from './admin_accounts.ts';

/**
 * `POST /admin/accounts/{id}/keys` issues a key (its secret is in that answer and nowhere else),
 * `GET /admin/accounts/{id}/keys` lists them, `DELETE /admin/keys/{id}` revokes one.
 */
export const adminKeysRoute = new Hono<AppEnv>();

const ScopeSchema = z.enum(KEY_SCOPES as ['speech', 'voices', 'usage', 'tokens']);

const CreateKeySchema = z
  .object({
    // `tokens` gives no power of its own: a token minted by the key can do at most what the key can.
    scopes: z.array(ScopeSchema).min(1).default(['speech', 'voices', 'usage', 'tokens']),
    expires_at: z.iso.datetime({ offset: true }).nullable().default(null),
    allowed_origins: AllowedOriginsSchema.default(null),
    // A caller-chosen secret, for a fixed local demo key or keys moved from another system.
    secret: z
      .string()
      .regex(/^tts_[A-Za-z0-9_-]{20,200}$/, 'a key secret starts with "tts_" followed by 20 or more of A-Z a-z 0-9 _ -')
      .optional(),
  })
  .strict();

/** A key as the admin API shows it: never its secret or hash. */
const ApiKeySchema = z
  .object({
    object: z.literal('api_key'),
    id: z.string(),
    account_id: z.string(),
    prefix: z.string().describe('The first characters of the secret, for people to recognise the key.'),
    scopes: z.array(ScopeSchema),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    allowed_origins: z.array(z.string()).nullable().describe(AllowedOriginsSchema.description!),
  })
  .meta({ id: 'ApiKey' });
type ApiKey = z.infer<typeof ApiKeySchema>;
const apiKey = (view: ApiKeyView): ApiKey => ({ object: 'api_key', ...view });

const NewApiKeySchema = ApiKeySchema.extend({ key: z.string().describe('The secret: in this answer and nowhere else.') }).meta({ id: 'NewApiKey' });

const KEY_ID = { in: 'path', name: 'id', required: true, schema: { type: 'string' }, description: 'A key id, `key_…`.' } as const;
const KEY_NOT_FOUND_ERRORS = errorCatalogue({ 404: ['key_not_found'] });

const createKeyDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'createKey',
  summary: 'Issue a key for an account',
  security: ADMIN_SECURITY,
  parameters: [ACCOUNT_ID],
  requestBody: requestBody(CreateKeySchema),
  responses: {
    201: jsonResponse('The new key, with its secret.', NewApiKeySchema),
    ...errorResponses(ADMIN_AUTH_ERRORS, ACCOUNT_NOT_FOUND_ERRORS, JSON_BODY_ERRORS, errorCatalogue({ 409: ['key_exists'] })),
  },
});

const listKeysDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'listKeys',
  summary: "List an account's keys",
  security: ADMIN_SECURITY,
  parameters: [ACCOUNT_ID],
  responses: {
    200: jsonResponse("The account's keys.", z.object({ object: z.literal('list'), data: z.array(ApiKeySchema) })),
    ...errorResponses(ADMIN_AUTH_ERRORS, ACCOUNT_NOT_FOUND_ERRORS),
  },
});

const revokeKeyDocs = describeRoute({
  tags: ['Admin'],
  operationId: 'revokeKey',
  summary: 'Revoke a key',
  description: 'Refused from the next request on. Revoking a revoked key answers it as it is.',
  security: ADMIN_SECURITY,
  parameters: [KEY_ID],
  responses: { 200: jsonResponse('The revoked key.', ApiKeySchema), ...errorResponses(ADMIN_AUTH_ERRORS, KEY_NOT_FOUND_ERRORS) },
});

adminKeysRoute.post('/admin/accounts/:id/keys', createKeyDocs, adminAuth, async (c) => {
  const accountId = c.req.param('id');
  const account = await new D1AccountStore(c.env.DB).get(accountId);
  if (!account) throw accountNotFound(accountId);
  const { scopes, expires_at, allowed_origins, secret: chosen } = await readJsonBody(c, CreateKeySchema);

  const secret = chosen ?? generateKeySecret();
  const hash = await hashKeySecret(secret);
  const index = new D1ApiKeyIndex(c.env.DB);
  if (chosen && (await index.hasHash(hash))) {
    throw new ApiError(409, 'invalid_request_error', 'key_exists', 'A key with this secret already exists.', { param: 'secret' });
  }
  const record: ApiKeyView = {
    id: `key_${crypto.randomUUID().replaceAll('-', '')}`,
    account_id: accountId,
    prefix: visiblePrefix(secret),
    scopes: [...new Set(scopes)],
    created_at: new Date().toISOString(),
    expires_at: expires_at === null ? null : new Date(expires_at).toISOString(),
    revoked_at: null,
    allowed_origins: allowed_origins && [...new Set(allowed_origins)],
  };
  // The account's object learns of the key first: a key KV can find is always one it can judge.
  await accountObject(c.env, accountId).registerKey(record.id, record.expires_at === null ? null : Date.parse(record.expires_at));
  await index.insert(hash, record);
  await new KvApiKeyStore(c.env.API_KEYS).put(hash, record);
  return c.json({ ...apiKey(record), key: secret } satisfies z.infer<typeof NewApiKeySchema>, 201);
});

adminKeysRoute.get('/admin/accounts/:id/keys', listKeysDocs, adminAuth, async (c) => {
  const accountId = c.req.param('id');
  if (!(await new D1AccountStore(c.env.DB).get(accountId))) throw accountNotFound(accountId);
  const keys = await new D1ApiKeyIndex(c.env.DB).listByAccount(accountId);
  return c.json({ object: 'list', data: keys.map(apiKey) });
});

adminKeysRoute.delete('/admin/keys/:id', revokeKeyDocs, adminAuth, async (c) => {
  const id = c.req.param('id');
  const index = new D1ApiKeyIndex(c.env.DB);
  const key = await index.get(id);
  if (!key) throw new ApiError(404, 'not_found_error', 'key_not_found', `Key "${id}" does not exist.`);
  // The account's object refuses the key from this moment. KV's copy is marked revoked after (so
  // edges refuse it without asking once it propagates), and kept so that the answer stays
  // "revoked" rather than "unknown"; its cached copies may lag for a minute without letting the
  // key through.
  await accountObject(c.env, key.account_id).revokeKey(id);
  const revokedAt = key.revoked_at ?? new Date().toISOString();
  await index.markRevoked(id, revokedAt);
  const { key_hash: hash, ...view } = key;
  const revoked = { ...view, revoked_at: revokedAt };
  await new KvApiKeyStore(c.env.API_KEYS).put(hash, kvRecordOf(revoked));
  return c.json(apiKey(revoked));
});
