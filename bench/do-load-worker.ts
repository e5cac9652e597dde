/**
 * A worker for bench/edge-limits.ts: it drives one account's Durable Object (the real AccountDO)
 * from inside workerd, as the edge does, and reports how many admissions and settlements it
 * sustained. POST /load?requests=N&concurrency=C.
 */
import { AccountDO } from '../edge/accounts/account-do.ts';

export { AccountDO };

interface LoadEnv {
  ACCOUNTS: DurableObjectNamespace<AccountDO>;
}

export default {
  async fetch(request: Request, env: LoadEnv): Promise<Response> {
    const url = new URL(request.url);
    const requests = Number(url.searchParams.get('requests') ?? 2000);
    const concurrency = Number(url.searchParams.get('concurrency') ?? 32);
    const accountId = `acct_bench_${crypto.randomUUID()}`;
    const account = env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
    const big = 1_000_000_000;
    await account.initialize({
      account_id: accountId,
      credits: big,
      limits: { requests_per_minute: big, characters_per_minute: big, concurrent_streams: big, max_voices: 0 },
    });
    await account.registerKey('key_bench', null);

    let next = 0;
    let refused = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          const id = `r${next++}`;
          const admission = await account.admit({ request_id: id, key_id: 'key_bench', characters: 40 });
          if (!admission.ok) {
            refused++;
            continue;
          }
          await account.settle({ request_id: id, charge: 40, status: 'completed' });
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const state = await account.snapshot();
    return Response.json({ requests, concurrency, refused, seconds, balance_ok: state?.balance === big - (requests - refused) * 40 });
  },
};
