import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { accountObject } from '../accounts/account-stub.ts';
import type { TokenScope, TokenUse } from '../accounts/client-token-types.ts';
import type { Credential } from '../accounts/types.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv } from '../env.ts';
import { mergeCatalogues } from '../openapi/error-catalogue.ts';
import type { KeyScope } from '../storage/api-keys.ts';
import { TOKEN_ERRORS, tokenRefusal } from '../tokens/token-errors.ts';
import { isClientToken, readClientToken } from '../tokens/token-secret.ts';
import { API_KEY_ERRORS, apiKeyAuth, identifyApiKey, presentedSecret } from './api-key-auth.ts';

/** A request with a client token, as far as the edge can tell without its account's object. */
export interface TokenCaller {
  hash: string;
  /** The page's origin; null without `Origin` (a server) or from the API's own pages. */
  origin: string | null;
}

/** Who a request acts for: one of the account's keys, or a client token one of them minted. */
export type Caller = { accountId: string; keyId: string; token?: never } | { accountId: string; token: TokenCaller; keyId?: never };

/** What a route that takes keys and client tokens answers when it refuses either. */
export const CALLER_ERRORS = mergeCatalogues(API_KEY_ERRORS, TOKEN_ERRORS);

/** The credential admission checks: the key, or the token with what the request wants of it. */
export const credentialOf = (caller: Caller, use: Omit<TokenUse, 'hash' | 'origin'>): Credential =>
  caller.token ? { token: { ...caller.token, ...use } } : { key_id: caller.keyId };

/** The page's origin as a token's `allowed_origins` compares it: none for servers and for the API's own pages. */
function pageOrigin(c: Context<AppEnv>): string | null {
  const origin = c.req.header('origin');
  return origin === undefined || origin === new URL(c.req.url).origin ? null : origin;
}

/** Reads a client token (refused at once when it is not shaped as one: no lookup is made for it). */
export async function tokenCaller(c: Context<AppEnv>, token: string): Promise<Caller> {
  const read = await readClientToken(token, edgeConfig(c.env).workerSecret);
  if (!read) throw tokenRefusal('token_unknown');
  return { accountId: read.accountId, token: { hash: read.hash, origin: pageOrigin(c) } };
}

/**
 * For routes that client tokens may use as well as keys, and whose next step asks the account's
 * object anyway (speech admission): a key is identified as `identifyApiKey` does (one of
 * `keyScopes`); a token (`tkn_…`) only read, since admission checks it with everything else in
 * the same call. Sets `caller`.
 */
export const identifyCaller = (keyScopes: KeyScope[]) => {
  const identifyKey = identifyApiKey(...keyScopes);
  return createMiddleware<AppEnv>(async (c, next) => {
    const bearer = presentedSecret(c);
    if (bearer === undefined || !isClientToken(bearer)) return identifyKey(c, next);
    c.set('caller', await tokenCaller(c, bearer));
    await next();
  });
};

/**
 * For routes that client tokens with `tokenScope` may use as well as keys, and that take nothing
 * from the account (listing voices and models): a key as `apiKeyAuth` checks it, a token checked
 * by its account's object (still valid, its key active, the origin and scope among its bindings).
 */
export const callerAuth = (keyScopes: KeyScope[], tokenScope: TokenScope) => {
  const keyAuth = apiKeyAuth(...keyScopes);
  return createMiddleware<AppEnv>(async (c, next) => {
    const bearer = presentedSecret(c);
    if (bearer === undefined || !isClientToken(bearer)) return keyAuth(c, next);
    const caller = await tokenCaller(c, bearer);
    const use = { ...caller.token!, scope: tokenScope };
    const authorized = await accountObject(c.env, caller.accountId).authorizeToken(use);
    if (!authorized.ok) throw tokenRefusal(authorized.reason, use);
    c.set('caller', caller);
    await next();
  });
};
