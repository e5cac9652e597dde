import type { EdgeHarness } from './edge.ts';

/**
 * Has the account's object write the ledger rows it still holds to D1, as the routes that read
 * the ledger do: a test that reads D1 itself calls this first, once the streams it looks for
 * have settled (the object's alarm would write them too, a moment later).
 */
export async function flushLedger(edge: EdgeHarness, accountId: string): Promise<void> {
  const ns = await edge.mf.getDurableObjectNamespace('ACCOUNTS');
  const stub = ns.get(ns.idFromName(accountId)) as unknown as { flushLedger(): Promise<void> };
  await stub.flushLedger();
}
