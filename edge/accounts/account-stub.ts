import type { Env } from '../env.ts';
import type { AccountDO } from './account-do.ts';

/** The Durable Object that holds an account's exact state: one per account id. */
export const accountObject = (env: Env, accountId: string): DurableObjectStub<AccountDO> =>
  env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
