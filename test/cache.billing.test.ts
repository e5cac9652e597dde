import { describe, expect, it } from 'vitest';
import { useStack } from './harness/stack.ts';

/**
 * What a cache hit is charged, and what the ledger says of it, through the whole stack: workerd's
 * Cache API and R2, a real espeak worker, hits priced at a quarter of their characters.
 */
const stack = useStack({ edgeVars: { AUDIO_CACHE_MODE: 'on', AUDIO_CACHE_HIT_PRICE: '0.25' } });

// 201 characters: a quarter is 50.25, charged 51.
const TEXT =
  'Thank you for calling the support line of the open speech company. Your call matters to us, and the next free person will answer it in a moment; please stay on the line, or leave a message at the tone.';

async function speak(key: string) {
  const response = await stack.edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'espeak', voice: 'en-female', response_format: 'mp3', input: TEXT }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  await response.arrayBuffer();
  return response.headers.get('x-tts-cache');
}

/** A miss is stored behind its stream: the next request hits once its object is in R2. */
async function stored(accountId: string) {
  const bucket = await stack.edge.mf.getR2Bucket('AUDIO_CACHE');
  await expect.poll(async () => (await bucket.list({ prefix: `${accountId}/` })).objects.length, { timeout: 10_000, interval: 25 }).toBe(1);
}

type Usage = { balance: number; reserved: number; totals: { requests: number }; data: Array<Record<string, unknown>> };

/** The account's usage by cache once its `requests` have settled (the edge settles as each body ends). */
async function usageByCache(key: string, requests: number): Promise<Usage> {
  let usage: Usage | undefined;
  await expect
    .poll(
      async () => {
        usage = (await (await stack.edge.fetch('/v1/usage?group_by=cache', { key })).json()) as Usage;
        return usage.reserved === 0 && usage.totals.requests === requests;
      },
      { timeout: 15_000, interval: 50 },
    )
    .toBe(true);
  return usage!;
}

describe('billing of the audio cache', () => {
  it('charges a hit its characters at AUDIO_CACHE_HIT_PRICE, rounded up, and a miss in full; the ledger tells them apart', async () => {
    expect([...TEXT].length).toBe(201);
    const { key, account_id } = await stack.edge.createKey({ credits: 10_000 });
    expect(await speak(key)).toBe('miss');
    await stored(account_id);
    expect(await speak(key)).toBe('hit');

    const usage = await usageByCache(key, 2);
    expect(usage.balance).toBe(10_000 - 201 - 51);
    expect(usage.data).toEqual([
      expect.objectContaining({ cache: 'hit', requests: 1, characters: 201, credits_charged: 51 }),
      expect.objectContaining({ cache: 'miss', requests: 1, characters: 201, credits_charged: 201 }),
    ]);
  });

  it('renders, and charges in full, for an account an admin turned the cache off for, from its next request on', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 10_000 });
    expect(await speak(key)).toBe('miss');
    await stored(account_id);
    const patched = await stack.edge.admin('PATCH', `/admin/accounts/${account_id}`, { audio_cache: false });
    expect(patched.status).toBe(200);
    expect(await speak(key)).toBe('off');
    await stack.edge.admin('PATCH', `/admin/accounts/${account_id}`, { audio_cache: true });
    expect(await speak(key)).toBe('hit');

    const usage = await usageByCache(key, 3);
    expect(usage.balance).toBe(10_000 - 201 - 201 - 51);
    expect(usage.data.map(({ cache, requests, credits_charged }) => ({ cache, requests, credits_charged }))).toEqual([
      { cache: 'hit', requests: 1, credits_charged: 51 },
      { cache: 'miss', requests: 1, credits_charged: 201 },
      { cache: 'off', requests: 1, credits_charged: 201 },
    ]);
  });
});
