import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountOptions, type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';

// Limits and credits under concurrency, through the real edge (workerd: Durable Objects, KV, D1)
// in front of a real gpu-worker (espeak), observed on real streams.
let worker: GpuWorkerHarness;
let edge: EdgeHarness;
beforeAll(async () => {
  worker = await startGpuWorker();
  edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
});

/** About 4,000 characters: minutes of audio, so a stream its client does not read stays open. */
const LONG_INPUT = Array.from({ length: 80 }, (_, i) => `Sentence ${i} keeps this stream going for a while.`)
  .join(' ')
  .slice(0, 4_000);

const speech = (key: string, input: string) =>
  edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input, response_format: 'pcm' }),
  });

type AccountView = { balance: number; active_streams: number; usage: { requests: number; credits_charged: number } };
const accountView = async (id: string) => (await (await edge.admin('GET', `/admin/accounts/${id}`)).json()) as AccountView;

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
  return edge.createKey(options);
}

/** Samples the worker's count of running syntheses until stopped; returns the highest seen. */
function watchWorker() {
  let max = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const stats = (await (await fetch(`${worker.url}/readyz`)).json()) as { active: number };
      max = Math.max(max, stats.active);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
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
