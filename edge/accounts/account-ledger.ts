import type { Env } from '../env.ts';
import { D1UsageLedger } from '../storage/usage-ledger.ts';
import { accountObject, accountSnapshot } from './account-stub.ts';
import type { AccountSnapshot } from './types.ts';

/**
 * The account's live state, then its usage ledger in D1 once the account's object has written
 * the rows it still holds (its alarm writes them within moments of a settlement; a read does not
 * wait for it). In this order the two agree: a stream the snapshot no longer shows as running is
 * in the ledger read after it, so a client that reads its usage right after a stream ends sees it.
 */
export async function settledUsage(env: Env, accountId: string): Promise<{ snapshot: AccountSnapshot; ledger: D1UsageLedger }> {
  const snapshot = await accountSnapshot(env, accountId);
  await accountObject(env, accountId).flushLedger();
  return { snapshot, ledger: new D1UsageLedger(env.DB) };
}
