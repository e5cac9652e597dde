/**
 * A worker for bench/edge-limits.ts: it drives one account's Durable Object (the real AccountDO)
 * from inside workerd, as the edge does, and reports how many admissions and settlements it
 * sustained. Each request is admitted as the account's key, or as a client token the key minted
 * (without caps, or capped and bound to a model, a voice and an origin, as an app's token would be).
 *
 *   POST /load?requests=N&concurrency=C&credential=key|token|capped-token
 *     N admissions, each settled, from C callers at once: one RPC call each, as the edge makes them.
 *   POST /burst?requests=N&credential=...
 *     N admissions and settlements inside the object, in one call: what they cost the object
 *     itself, without the RPC round trips around them (which /load's figures are mostly made of).
 */
import { AccountDO } from '../edge/accounts/account-do.ts';
import type { ClientTokenSpec } from '../edge/accounts/client-token-types.ts';
import type { Credential } from '../edge/accounts/types.ts';

/** The real object, with one more method: a burst of admissions and settlements with nothing between them. */
export class LoadAccountDO extends AccountDO {
  /** Admits and settles `count` requests in a row; returns how many were refused. */
  burst(credential: Credential, count: number): number {
    let refused = 0;
    for (let i = 0; i < count; i++) {
      const id = `b${i}`;
      if (!this.admit({ request_id: id, ...credential, characters: CHARACTERS }).ok) {
        refused++;
        continue;
      }
      this.settle({ request_id: id, charge: CHARACTERS, status: 'completed' });
    }
    return refused;
  }
}

interface LoadEnv {
  ACCOUNTS: DurableObjectNamespace<LoadAccountDO>;
}

const CREDENTIALS = ['key', 'token', 'capped-token'] as const;
type LoadCredential = (typeof CREDENTIALS)[number];

const CHARACTERS = 40;
const KEY_ID = 'key_bench';
const TOKEN_ID = 'tok_bench';
const BIG = 1_000_000_000;

/** A client token's spec as the edge would store it: the hash of a secret the bench never needs. */
function tokenSpec(capped: boolean, requests: number): ClientTokenSpec {
  return {
    token_id: TOKEN_ID,
    token_hash: 'b'.repeat(64),
    key_id: KEY_ID,
    ttl_ms: 3_600_000,
    scopes: ['speech', 'realtime'],
    models: capped ? ['espeak'] : null,
    voices: capped ? ['en-female'] : null,
    allowed_origins: capped ? ['https://app.example'] : null,
    single_use: false,
    // Room for every request: a cap that is checked and taken each time, never one that refuses.
    max_characters: capped ? requests * CHARACTERS + 1 : null,
    max_requests: capped ? requests + 1 : null,
  };
}

/** A fresh account with limits no run reaches, its key, and (for a token) the token: what each request is admitted as. */
async function setUp(env: LoadEnv, credential: LoadCredential, requests: number) {
  const accountId = `acct_bench_${crypto.randomUUID()}`;
  const account = env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
  await account.initialize({
    account_id: accountId,
    credits: BIG,
    limits: { requests_per_minute: BIG, characters_per_minute: BIG, concurrent_streams: BIG, max_voices: 0 },
  });
  await account.registerKey(KEY_ID, null);
  if (credential === 'key') return { account, who: { key_id: KEY_ID } as Credential };
  const spec = tokenSpec(credential === 'capped-token', requests);
  if (!(await account.mintToken(spec)).ok) throw new Error('the bench key could not mint its token');
  // What the edge sends with a token: its hash, the route's scope, the page's origin, the served model and voice.
  return { account, who: { token: { hash: spec.token_hash, scope: 'speech', origin: 'https://app.example', model: 'espeak', voice: 'en-female' } } as Credential };
}

/** Whether the account's balance, and the token's own count, are exactly what the admitted requests were charged. */
async function exact(account: DurableObjectStub<LoadAccountDO>, credential: LoadCredential, admitted: number): Promise<boolean> {
  const charged = admitted * CHARACTERS;
  const state = await account.snapshot();
  if (state?.balance !== BIG - charged) return false;
  if (credential === 'key') return true;
  const token = await account.tokenState(TOKEN_ID);
  return token !== null && token.characters_used === charged && token.characters_reserved === 0 && token.requests_used === admitted;
}

export default {
  async fetch(request: Request, env: LoadEnv): Promise<Response> {
    const url = new URL(request.url);
    const requests = Number(url.searchParams.get('requests') ?? 2000);
    const concurrency = Number(url.searchParams.get('concurrency') ?? 32);
    const credential = (url.searchParams.get('credential') ?? 'key') as LoadCredential;
    if (!CREDENTIALS.includes(credential)) return new Response(`credential: one of ${CREDENTIALS.join(', ')}`, { status: 400 });
    const { account, who } = await setUp(env, credential, requests);

    let refused = 0;
    const started = Date.now();
    if (url.pathname === '/burst') {
      refused = await account.burst(who, requests);
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests) {
            const id = `r${next++}`;
            const admission = await account.admit({ request_id: id, ...who, characters: CHARACTERS });
            if (!admission.ok) {
              refused++;
              continue;
            }
            await account.settle({ request_id: id, charge: CHARACTERS, status: 'completed' });
          }
        }),
      );
    }
    const seconds = (Date.now() - started) / 1000;
    return Response.json({ requests, concurrency, credential, refused, seconds, balance_ok: await exact(account, credential, requests - refused) });
  },
};
