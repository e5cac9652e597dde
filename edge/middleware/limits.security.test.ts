import { describe, expect, it } from 'vitest';
import { LONG_INPUT } from '../../test/clips.ts';
import { useStack } from '../../test/harness/stack.ts';

// Admission that overlaps the worker's start (middleware/limits.ts, admission-forecast.ts): a
// forecast the account's object then contradicts must cost no credit, stream nothing and leave no
// synthesis running; and a credential that was refused is admitted first from then on.
const stack = useStack();

const speech = (key: string, input: string, requestId = `overlap-${crypto.randomUUID()}`) =>
  stack.edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ input, response_format: 'pcm' }),
  });

type AccountView = { balance: number; active_streams: number; usage: { requests: number } };
const accountView = async (id: string) => (await (await stack.edge.admin('GET', `/admin/accounts/${id}`)).json()) as AccountView;

/** Syntheses running on the worker now. */
const runningOnWorker = async () => ((await (await fetch(`${stack.worker.url}/readyz`)).json()) as { active: number }).active;

/** Every synthesis the worker has ended, whatever its outcome (its `/metrics`). */
async function workerRequests(): Promise<number> {
  const text = await (await fetch(`${stack.worker.url}/metrics`)).text();
  return [...text.matchAll(/^tts_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('admission beside the worker’s start', () => {
  it('credits taken away after an admitted request: the next is refused 402, charged nothing, and the synthesis it started is cancelled at once', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 100_000 });
    // One admitted request: this isolate now expects the key's next ones to be admitted.
    expect((await speech(key, 'Hello there.')).status).toBe(200);
    await expect.poll(async () => (await accountView(account_id)).active_streams, { timeout: 15_000 }).toBe(0);
    const { balance } = await accountView(account_id);
    await stack.edge.admin('POST', `/admin/accounts/${account_id}/credits`, { amount: -balance, reason: 'test' });

    const requestId = `overlap-${crypto.randomUUID()}`;
    const refused = await speech(key, LONG_INPUT, requestId);
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('insufficient_credits');
    // The worker may have been asked while the account's object decided: the refusal stopped it
    // (minutes of audio, none of it read), or reached it before the request did. Nothing runs on.
    await expect.poll(runningOnWorker, { timeout: 10_000 }).toBe(0);
    const lines = stack.worker.logs.filter((line) => line.request_id === requestId).map((line) => line.message);
    expect(lines.filter((message) => message !== 'synthesis cancelled')).toEqual([]);
    const view = await accountView(account_id);
    expect(view).toMatchObject({ balance: 0, active_streams: 0 });
    expect(view.usage.requests).toBe(1);
  });

  it('a credential once refused is admitted first: its next refusal reaches no worker', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 100_000 });
    expect((await speech(key, 'Hello there.')).status).toBe(200);
    await expect.poll(async () => (await accountView(account_id)).active_streams, { timeout: 15_000 }).toBe(0);
    await stack.edge.admin('POST', `/admin/accounts/${account_id}/credits`, { amount: -(await accountView(account_id)).balance, reason: 'test' });
    expect((await speech(key, LONG_INPUT)).status).toBe(402); // forecast, refused: the forecast stops
    await expect.poll(runningOnWorker, { timeout: 10_000 }).toBe(0);

    const before = await workerRequests();
    expect((await speech(key, LONG_INPUT)).status).toBe(402);
    // A request of another key after it, read to its end: the worker counts it, and nothing else.
    const { key: other } = await stack.edge.createKey();
    await (await speech(other, 'Hello there.')).arrayBuffer();
    await expect.poll(workerRequests, { timeout: 10_000 }).toBe(before + 1);
  });
});
