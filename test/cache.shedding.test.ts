import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { speak } from './clips.ts';
import { type EdgeHarness, startEdge } from './harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from './harness/gpu-worker.ts';

// As test/load-shedding.test.ts: one real worker with one slot, behind an edge whose first-audio
// budget (1 ms) a full worker exceeds, so a new stream is shed while one plays; the audio cache on.
let edge: EdgeHarness;
let key: string;
let worker: GpuWorkerHarness;

const pool = async () => ((await (await edge.admin('GET', '/admin/pool')).json()) as { data: Array<{ load: { active: number; queued: number; ttfa_ms: number | null } }> }).data;
const LONG = 'This sentence is long enough to keep the only slot of the worker busy while others knock. '.repeat(6);
const CACHED = { input: 'Your call is important to us.', response_format: 'pcm' };

beforeAll(async () => {
  edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: { FIRST_AUDIO_BUDGET_MS: '1', AUDIO_CACHE_MODE: 'on' } });
  ({ key } = await edge.createKey());
  worker = await startGpuWorker({ env: { EDGE_URL: edge.url, HEARTBEAT_MS: '100', MAX_STREAMS: '1' } });
  await vi.waitFor(async () => expect(await pool()).toHaveLength(1), { timeout: 10_000 });
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
});

describe('audio cache under load shedding', () => {
  it('with the only slot playing, a request the cache has is served from it; one it has not is refused 503 pool_saturated', async () => {
    const first = await speak(edge, key, CACHED);
    expect(first.headers.get('x-tts-cache')).toBe('miss');
    const audio = Buffer.from(await first.arrayBuffer());
    // Stored, and the worker has told the pool its time to first audio (over the budget) and that it is idle.
    await expect.poll(async () => (await speak(edge, key, CACHED)).headers.get('x-tts-cache'), { timeout: 10_000 }).toBe('hit');
    await expect.poll(async () => (await pool())[0]!.load, { timeout: 10_000 }).toMatchObject({ active: 0, queued: 0, ttfa_ms: expect.any(Number) });

    const playing = await speak(edge, key, { input: LONG, response_format: 'pcm', cache: 'off' });
    expect(playing.status).toBe(200);
    const reader = playing.body!.getReader();
    await reader.read();

    const hit = await speak(edge, key, CACHED);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-tts-cache')).toBe('hit');
    expect(Buffer.from(await hit.arrayBuffer()).equals(audio)).toBe(true);

    for (const body of [{ input: 'Not said before.', response_format: 'pcm' }, { ...CACHED, cache: 'off' }]) {
      const refused = await speak(edge, key, body);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: { type: 'service_unavailable', code: 'pool_saturated' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // The playing stream was never cut.
    while (!(await reader.read()).done);
  });
});
