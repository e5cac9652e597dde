import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GpuWorkerHarness, startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';

let worker: GpuWorkerHarness;
beforeAll(async () => {
  worker = await startGpuWorker({ env: { MAX_STREAMS: '2', MAX_QUEUED: '0' } });
});
afterAll(() => worker?.stop());

const LONG = Array.from({ length: 50 }, (_, i) => `Sentence ${i} is here to make the stream last a good while.`).join(' ');

/** Synthesizes `input` whole and answers the engine steps the worker logged for it. */
async function synthesizedSteps(input: string): Promise<number> {
  const requestId = `whole-${crypto.randomUUID()}`;
  const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ request_id: requestId, input }) });
  await response.arrayBuffer();
  await expect.poll(() => worker.logs.find((e) => e.request_id === requestId)).toMatchObject({ message: 'synthesized' });
  return worker.logs.find((e) => e.request_id === requestId)!.engine_steps as number;
}

describe('gpu-worker synthesis', () => {
  it('stops synthesizing when the client goes away', async () => {
    const requestId = `cancel-${crypto.randomUUID()}`;
    const abort = new AbortController();
    const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', {
      body: synthesisBody({ request_id: requestId, input: LONG }),
      signal: abort.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await expect.poll(() => worker.logs.find((entry) => entry.request_id === requestId)).toMatchObject({ message: 'synthesis cancelled' });
    const entry = worker.logs.find((e) => e.request_id === requestId)!;
    // 50 sentences are over two minutes of audio; cancellation stopped it long before.
    expect(entry.audio_ms as number).toBeLessThan(60_000);

    // The model stopped too: the slot is free, nothing more is logged for the request, and it
    // took a fraction of the engine steps the whole text takes.
    await expect.poll(async () => ((await (await fetch(`${worker.url}/readyz`)).json()) as { active: number }).active).toBe(0);
    const whole = await synthesizedSteps(LONG);
    expect(worker.logs.filter((e) => e.request_id === requestId)).toEqual([entry]);
    expect(entry.engine_steps as number).toBeGreaterThan(0);
    expect(entry.engine_steps as number).toBeLessThan(whole / 2);
  });

  it('answers 503 worker_busy at once when every slot is taken, so the edge can fail over', async () => {
    const holders = await Promise.all(
      [1, 2].map(async () => {
        const abort = new AbortController();
        const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input: LONG }), signal: abort.signal });
        expect(response.status).toBe(200);
        return abort;
      }),
    );
    const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody() });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('worker_busy');
    for (const abort of holders) abort.abort();
    // Slots come back once the holders are gone.
    await expect
      .poll(async () => (await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody() })).response.status)
      .toBe(200);
  });

  it('lists its models in the catalog', async () => {
    const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/catalog');
    const catalog = (await response.json()) as { models: Array<{ id: string; sample_rate: number }> };
    expect(catalog.models.map((model) => model.id)).toEqual(['espeak']);
  });
});
