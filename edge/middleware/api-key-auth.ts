import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../shared/errors.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { KeyStatus } from '../accounts/types.ts';
import { hashKeySecret } from '../auth/api-key-secret.ts';
import type { AppEnv } from '../env.ts';
import { ORIGIN_ERRORS, originRefusal } from '../auth/allowed-origins.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { documentHeaders } from '../openapi/headers.ts';
import { type KeyScope, KvApiKeyStore } from '../storage/api-keys.ts';
import { isClientToken } from '../tokens/token-secret.ts';

export const bearerToken = (header: string | undefined): string | undefined => {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
};

/**
 * The key or client token a request presents: what a dialect read from its own header (ElevenLabs'
 * `xi-api-key`, edge/dialects/elevenlabs/dialect.ts), else `Authorization: Bearer`.
 */
export const presentedSecret = (c: Context<AppEnv>): string | undefined => c.get('presentedSecret') ?? bearerToken(c.req.header('authorization'));

/** Sent with every 401 about the key. */
export const WWW_AUTHENTICATE_HEADERS = documentHeaders({ 'www-authenticate': '`Bearer`: the API key goes in `Authorization: Bearer <key>` (or `xi-api-key: <key>` under `/elevenlabs`).' });
/** The 401s for a key the account's Durable Object does not accept (`keyRefusal`). */
export const KEY_REFUSAL_ERRORS = errorCatalogue({ 401: ['invalid_api_key', 'revoked_api_key', 'expired_api_key'] }, { 401: WWW_AUTHENTICATE_HEADERS });
/** What API-key authentication refuses a request with. */
export const API_KEY_ERRORS = errorCatalogue(
  { 401: ['missing_api_key', ...KEY_REFUSAL_ERRORS.codes[401]], 403: ['missing_scope', 'token_scope', ...ORIGIN_ERRORS.codes[403]] },
  KEY_REFUSAL_ERRORS.headers,
);

const unauthorized = (code: (typeof API_KEY_ERRORS.codes)[401][number], message: string) =>
  new ApiError(401, 'authentication_error', code, message, { headers: { 'www-authenticate': 'Bearer' } });

/** The 401 for a key the account's Durable Object does not accept (null: the key may be used). */
export function keyRefusal(status: KeyStatus | 'account_not_found'): ApiError | null {
  switch (status) {
    case 'active':
      return null;
    case 'revoked':
      return unauthorized('revoked_api_key', 'The API key has been revoked.');
    case 'expired':
      return unauthorized('expired_api_key', 'The API key has expired.');
    default:
      return unauthorized('invalid_api_key', 'The API key is not valid.');
  }
}

/** The 403 for a page on an origin the key does not allow (edge/auth/allowed-origins.ts); null: it may go on. */
export const keyOriginRefusal = (c: Context<AppEnv>, allowed: readonly string[] | null | undefined): ApiError | null =>
  // Most keys list no origins: they skip parsing the URL on every request.
  allowed ? originRefusal(allowed, c.req.header('origin'), new URL(c.req.url).origin) : null;

/**
 * Resolves `Authorization: Bearer <key>` to its key record (KV, by the secret's hash) and checks
 * its expiry, the page's origin (when a browser sends one) and that it has one of `scopes`. It
 * does not ask whether the key was revoked: use it alone only on a route whose next step asks the
 * account's Durable Object anyway (speech admission does); everywhere else use `apiKeyAuth`.
 */
export const identifyApiKey = (...scopes: KeyScope[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const secret = presentedSecret(c);
    if (!secret) throw unauthorized('missing_api_key', 'Send your API key as "Authorization: Bearer <key>" (or as "xi-api-key: <key>" under /elevenlabs).');
    // A client token is for speaking and reading voices (edge/middleware/caller-auth.ts), never for this route.
    if (isClientToken(secret)) throw new ApiError(403, 'permission_error', 'token_scope', 'Client tokens cannot be used on this route: it takes an API key.');
    const record = await new KvApiKeyStore(c.env.API_KEYS).findByHash(await hashKeySecret(secret));
    if (!record) throw unauthorized('invalid_api_key', 'The API key is not valid.');
    if (record.revoked_at) throw keyRefusal('revoked')!;
    if (record.expires_at !== null && Date.parse(record.expires_at) <= Date.now()) {
      throw unauthorized('expired_api_key', `The API key expired at ${record.expires_at}.`);
    }
    const wrongOrigin = keyOriginRefusal(c, record.allowed_origins);
    if (wrongOrigin) throw wrongOrigin;
    if (!scopes.some((scope) => record.scopes.includes(scope))) {
      const wanted = scopes.map((scope) => `"${scope}"`).join(' or ');
      throw new ApiError(403, 'permission_error', 'missing_scope', `The API key lacks the ${wanted} scope.`);
    }
    c.set('apiKey', record);
    c.set('caller', { accountId: record.account_id, keyId: record.id });
    await next();
  });

/**
 * `identifyApiKey`, then asks the account's Durable Object whether the key is still active, so
 * that a revoked key is refused at once rather than when KV's cached copy expires.
 */
export const apiKeyAuth = (...scopes: KeyScope[]) => {
  const identify = identifyApiKey(...scopes);
  return createMiddleware<AppEnv>((c, next) =>
    identify(c, async () => {
      const record = c.get('apiKey');
      const refusal = keyRefusal(await accountObject(c.env, record.account_id).keyStatus(record.id));
      if (refusal) throw refusal;
      await next();
    }),
  );
};
