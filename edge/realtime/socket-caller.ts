import type { Context } from 'hono';
import { accountObject } from '../accounts/account-stub.ts';
import type { AppEnv } from '../env.ts';
import { apiKeyAuth, keyOriginRefusal, presentedSecret } from '../middleware/api-key-auth.ts';
import { type Caller, credentialOf, tokenCaller } from '../middleware/caller-auth.ts';
import { refusalError } from '../middleware/limits.ts';
import { isClientToken } from '../tokens/token-secret.ts';
import { redeemTicket } from './tickets.ts';

/**
 * Who opens a realtime socket: a ticket or a client token in the URL (browsers cannot set headers
 * on a WebSocket), else the key or client token the request presents (`presentedSecret`: the
 * Authorization header, or what a dialect read from its own). Either way a page on an origin the
 * key or token does not allow is refused: browsers send Origin on upgrades. A token is checked by
 * admission (`admitSocketCaller`), with the socket's opening.
 */
export async function socketCaller(c: Context<AppEnv>): Promise<Caller> {
  const ticket = c.req.query('ticket');
  if (ticket !== undefined) {
    const { accountId, keyId, allowedOrigins } = await redeemTicket(c.env, ticket);
    const wrongOrigin = keyOriginRefusal(c, allowedOrigins);
    if (wrongOrigin) throw wrongOrigin;
    return { accountId, keyId };
  }
  const token = c.req.query('token') ?? presentedSecret(c);
  if (token !== undefined && isClientToken(token)) return tokenCaller(c, token);
  await apiKeyAuth('speech')(c, async () => {});
  return c.get('caller');
}

/**
 * `socketCaller`, then the opening's admission: one of the requests-per-minute limit, and one of
 * a client token's requests (its `realtime` scope and origin checked). Throws the refusal; sets
 * `caller`.
 */
export async function admitSocketCaller(c: Context<AppEnv>): Promise<Caller> {
  const caller = await socketCaller(c);
  const admitted = await accountObject(c.env, caller.accountId).admitSocket(credentialOf(caller, { scope: 'realtime' }));
  if (!admitted.ok) throw refusalError(admitted, 0, undefined, { scope: 'realtime', origin: caller.token?.origin ?? null });
  c.set('caller', caller);
  return caller;
}
