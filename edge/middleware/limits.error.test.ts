import { describe, expect, it } from 'vitest';
import type { AccountOptions } from '../../test/harness/edge.ts';
import { LONG_INPUT } from '../../test/clips.ts';
import { useStack } from '../../test/harness/stack.ts';

// Limits and credits under concurrency, through the real edge (workerd: Durable Objects, KV, D1)
// in front of a real gpu-worker (espeak), observed on real streams.
const stack = useStack();

const speech = (key: string, input: string) =>
  stack.edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input, response_format: 'pcm' }),
  });

type AccountView = { balance: number; active_streams: number; usage: { requests: number; credits_charged: number } };
const accountView = async (id: string) => (await (await stack.edge.admin('GET', `/admin/accounts/${id}`)).json()) as AccountView;

/** Settlement runs after the response (waitUntil): wait until every stream is settled and recorded. */
async function settled(accountId: string, requests: number): Promise<AccountView> {
  await expect
    .poll(async () => {
      const view = await accountView(accountId);
      return { active_streams: view.active_streams, requests: view.usage.requests };
    }, { timeout: 15_000, interval: 50 })
    .toEqual({ active_streams: 0, requests });
  return accountView(accountId);
}

async function keyFor(options: AccountOptions) {
  return stack.edge.createKey(options);
}

/**
 * Samples the worker's count of running syntheses until stopped, and once more then (so the count
 * at that moment is seen however the samples fell); returns the highest seen.
 */
function watchWorker() {
  let max = 0;
  let running = true;
  const sample = async () => {
    const stats = (await (await fetch(`${stack.worker.url}/readyz`)).json()) as { active: number };
    max = Math.max(max, stats.active);
  };
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 10)); // a poll interval, not a wait for something
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await sample();
      return max;
    },
  };
}

const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string; type: string } }).error;

describe('concurrent_streams', () => {
  it('with a limit of 3 and twenty parallel slow requests, three stream and seventeen get 429; a freed slot admits the next', async () => {
    const { key, account_id } = await keyFor({ limits: { concurrent_streams: 3 } });
    const watcher = watchWorker();
    const responses = await Promise.all(Array.from({ length: 20 }, () => speech(key, LONG_INPUT)));
    const streaming = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    expect(streaming).toHaveLength(3);
    expect(refused.map((r) => r.status)).toEqual(Array(17).fill(429));
    for (const response of refused) {
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('x-ratelimit-limit-streams')).toBe('3');
      expect(response.headers.get('x-ratelimit-remaining-streams')).toBe('0');
      expect(await errorCode(response)).toMatchObject({ type: 'rate_limit_error', code: 'concurrent_streams_exceeded' });
    }
    // The three are slow clients: each reads its first chunk and then holds its stream open.
    const readers = await Promise.all(
      streaming.map(async (response) => {
        const reader = response.body!.getReader();
        expect((await reader.read()).done).toBe(false);
        return reader;
      }),
    );
    expect((await accountView(account_id)).active_streams).toBe(3);
    expect((await speech(key, 'One more?')).status).toBe(429);
    // The worker never ran more than three of this account's syntheses at once.
    expect(await watcher.stop()).toBe(3);

    // One client goes away: its lease is released, and exactly one new stream fits.
    await readers[0]!.cancel();
    await expect.poll(async () => (await accountView(account_id)).active_streams, { timeout: 10_000, interval: 50 }).toBe(2);
    const next = await speech(key, LONG_INPUT);
    expect(next.status).toBe(200);
    const busy = await speech(key, 'And now?');
    expect(busy.status).toBe(429);
    expect(await errorCode(busy)).toMatchObject({ code: 'concurrent_streams_exceeded' });

    await Promise.all([...readers.slice(1).map((reader) => reader.cancel()), next.body!.cancel()]);
    const view = await settled(account_id, 4);
    expect(view.active_streams).toBe(0);
  });
});

describe('requests_per_minute', () => {
  it('with a limit of 10 and thirty parallel requests, exactly ten are served; the rest get 429 with Retry-After', async () => {
    const { key } = await keyFor({ limits: { requests_per_minute: 10 } });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 30 }, () => speech(key, 'Hi.')));
    // The bucket refills one request every six seconds: the count below is exact only if every
    // admission was decided before that (a premise, with room for a loaded machine; not a speed check).
    expect(Date.now() - started, 'thirty admissions took longer than one refill').toBeLessThan(6_000);
    const served = responses.filter((r) => r.status === 200);
    expect(served).toHaveLength(10);
    await Promise.all(served.map((r) => r.arrayBuffer()));
    const refused = responses.filter((r) => r.status !== 200);
    expect(refused.map((r) => r.status)).toEqual(Array(20).fill(429));
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(6);
      expect(response.headers.get('x-ratelimit-limit')).toBe('10');
      expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(await errorCode(response)).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_requests' });
    }
  });
});

describe('refusals before admission', () => {
  it('an unknown model, an unknown voice or a language the model lacks costs no request token', async () => {
    const { key } = await keyFor({ limits: { requests_per_minute: 2 } });
    const post = (body: Record<string, unknown>) =>
      stack.edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'Hi.', ...body }) });
    const refusals = [
      [{ model: 'no-such-model' }, 404, 'model_not_found'],
      [{ voice: 'nobody' }, 404, 'voice_not_found'],
      [{ language: 'sv' }, 422, 'unsupported_language'],
    ] as const;
    for (const [body, status, code] of refusals) {
      const response = await post(body);
      expect([response.status, (await errorCode(response)).code]).toEqual([status, code]);
    }
    // Both tokens of the minute are still there.
    for (let i = 0; i < 2; i++) {
      const response = await post({ response_format: 'pcm' });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
  });
});

describe('characters_per_minute', () => {
  it('refuses with 429 once the characters of the minute are spent, and with 413 an input that can never fit', async () => {
    const { key } = await keyFor({ limits: { characters_per_minute: 30 } });
    const first = await speech(key, 'Twenty characters!!!');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-remaining-characters')).toBe('10');
    await first.arrayBuffer();
    const second = await speech(key, 'Twenty characters!!!');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('20'); // ten characters short, at half a character a second
    expect(await errorCode(second)).toMatchObject({ code: 'rate_limit_characters' });
    const tooLong = await speech(key, 'x'.repeat(31));
    expect(tooLong.status).toBe(413);
    expect(await errorCode(tooLong)).toMatchObject({ code: 'input_exceeds_character_limit' });
  });
});

describe('credits', () => {
  const INPUT = 'Exactly twenty chars'; // 20 characters = 20 credits
  it('with credits for exactly three requests, fired in parallel many times over, exactly three are served and the ledger matches the debit', async () => {
    for (let round = 0; round < 3; round++) {
      const { key, account_id } = await keyFor({ credits: 60 });
      const responses = await Promise.all(Array.from({ length: 12 }, () => speech(key, INPUT)));
      const served = responses.filter((r) => r.status === 200);
      expect(served).toHaveLength(3);
      await Promise.all(served.map((r) => r.arrayBuffer())); // heard to the end: charged in full
      const refused = responses.filter((r) => r.status !== 200);
      expect(refused.map((r) => r.status)).toEqual(Array(9).fill(402));
      for (const response of refused) {
        expect(response.headers.get('x-credits-remaining')).toMatch(/^(0|20|40)$/);
        expect(await errorCode(response)).toMatchObject({ type: 'insufficient_credits', code: 'insufficient_credits' });
      }
      const view = await settled(account_id, 3);
      expect(view.balance).toBe(0);
      expect(view.usage.credits_charged).toBe(60);
    }
  });

  it('answers 402 for a request costing more than the balance, and serves it after a top-up', async () => {
    const { key, account_id } = await keyFor({ credits: 19 });
    const refused = await speech(key, INPUT);
    expect(refused.status).toBe(402);
    expect(refused.headers.get('x-credits-remaining')).toBe('19');
    expect((await errorCode(refused)).code).toBe('insufficient_credits');
    await stack.edge.admin('POST', `/admin/accounts/${account_id}/credits`, { amount: 1 });
    const served = await speech(key, INPUT);
    expect(served.status).toBe(200);
    expect(served.headers.get('x-credits-remaining')).toBe('0');
    await served.arrayBuffer();
  });
});

describe('request ids', () => {
  it('refuses a reused x-request-id with 409 rather than settling two requests as one', async () => {
    const { key } = await keyFor({});
    const send = () =>
      stack.edge.fetch('/v1/audio/speech', {
        method: 'POST',
        key,
        headers: { 'content-type': 'application/json', 'x-request-id': 'client-chosen-id-0001' },
        body: JSON.stringify({ input: 'Hello.', response_format: 'pcm' }),
      });
    const first = await send();
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const second = await send();
    expect(second.status).toBe(409);
    // As documented for every admission refusal: the account's standing, which the refusal took nothing from.
    expect(second.headers.get('x-ratelimit-remaining-requests')).toMatch(/^\d+$/);
    expect(second.headers.get('x-credits-remaining')).toMatch(/^\d+$/);
    expect(await errorCode(second)).toMatchObject({ code: 'request_id_reused' });
  });
});
