import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GpuWorkerHarness, startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';

let worker: GpuWorkerHarness;
beforeAll(async () => {
  worker = await startGpuWorker({ env: { MAX_STREAMS: '2', MAX_QUEUED: '0' } });
});
afterAll(() => worker?.stop());

const LONG = Array.from({ length: 50 }, (_, i) => `Sentence ${i} is here to make the stream last a good while.`).join(' ');

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
