import { ApiError } from '../../shared/errors.ts';
import type { Env } from '../env.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import type { AccountDO } from './account-do.ts';
import type { AccountSnapshot } from './types.ts';

/** The Durable Object that holds an account's exact state: one per account id. */
export const accountObject = (env: Env, accountId: string): DurableObjectStub<AccountDO> =>
  env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));

/** An account D1 has whose object was never given its balance and limits: the edge's fault, a 500. */
export const ACCOUNT_STATE_ERRORS = errorCatalogue({ 500: ['account_state_missing'] });
export const accountStateMissing = (id: string, what = 'balance or limits') =>
  new ApiError(500, 'internal_error', 'account_state_missing', `Account "${id}" has no ${what}.`);

/** Turns the account's audio cache on or off (its object answers every admission with the setting). */
export async function setAccountAudioCache(env: Env, accountId: string, on: boolean): Promise<void> {
  if (!(await accountObject(env, accountId).setAudioCache(on))) throw accountStateMissing(accountId, 'audio-cache setting');
}

/** The account's live state: balance, reservations, limits, streams. */
export async function accountSnapshot(env: Env, accountId: string): Promise<AccountSnapshot> {
  const state = await accountObject(env, accountId).snapshot();
  if (!state) throw accountStateMissing(accountId);
  return state;
}
