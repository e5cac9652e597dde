import type { Context } from 'hono';
import { accountObject } from '../accounts/account-stub.ts';
import type { ClientTokenState } from '../accounts/client-token-types.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv } from '../env.ts';
import { keyRefusal } from '../middleware/api-key-auth.ts';
import type { ApiKeyRecord } from '../storage/api-keys.ts';
import { type CreateTokenRequest, tokenSpec } from './token-request.ts';
import { newClientToken, newTokenId } from './token-secret.ts';

/**
 * Mints a client token for `key`, for every dialect: checked against the key and the pool
 * (tokenSpec), stored hashed in the account's object. The secret is returned here and kept nowhere.
 */
export async function mintClientToken(c: Context<AppEnv>, key: ApiKeyRecord, request: CreateTokenRequest): Promise<{ token: ClientTokenState; secret: string }> {
  const { secret, hash } = await newClientToken(key.account_id, edgeConfig(c.env).workerSecret);
  const spec = await tokenSpec(c, key, request, { token_id: newTokenId(), token_hash: hash });
  const minted = await accountObject(c.env, key.account_id).mintToken(spec);
  // The key was revoked between its check and now.
  if (!minted.ok) throw keyRefusal('revoked')!;
  return { token: minted.token, secret };
}
