import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../shared/errors.ts';
import { hashKeySecret } from '../auth/api-key-secret.ts';
import type { AppEnv } from '../env.ts';
import { type KeyScope, KvApiKeyStore } from '../storage/api-keys.ts';

export const bearerToken = (header: string | undefined): string | undefined => {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
};

const unauthorized = (code: string, message: string) =>
  new ApiError(401, 'authentication_error', code, message, { headers: { 'www-authenticate': 'Bearer' } });

/** Resolves `Authorization: Bearer <key>` to its key record and checks it has one of `scopes`. */
export const apiKeyAuth = (...scopes: KeyScope[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const secret = bearerToken(c.req.header('authorization'));
    if (!secret) throw unauthorized('missing_api_key', 'Send your API key as "Authorization: Bearer <key>".');
    const record = await new KvApiKeyStore(c.env.API_KEYS).findByHash(await hashKeySecret(secret));
    if (!record) throw unauthorized('invalid_api_key', 'The API key is not valid.');
    if (record.expires_at !== null && Date.parse(record.expires_at) <= Date.now()) {
      throw unauthorized('expired_api_key', `The API key expired at ${record.expires_at}.`);
    }
    if (!scopes.some((scope) => record.scopes.includes(scope))) {
      const wanted = scopes.map((scope) => `"${scope}"`).join(' or ');
      throw new ApiError(403, 'permission_error', 'missing_scope', `The API key lacks the ${wanted} scope.`);
    }
    c.set('apiKey', record);
    await next();
  });
