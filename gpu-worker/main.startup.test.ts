import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch } from '../test/worker-client.ts';
import { writeTinyPack } from './engines/qwen3/tiny-pack/generate.ts';

let dir: string;
let modelId: string;
const spawned: GpuWorkerHarness[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-startup-'));
  modelId = (await writeTinyPack(join(dir, 'tiny'))).id;
});
afterAll(async () => {
  await Promise.all(spawned.map((worker) => worker.stop()));
  await rm(dir, { recursive: true, force: true });
});

/** A port nobody holds now: the test must know it before the worker says it listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The first answer on `url`, once something listens there. */
async function firstAnswer(url: string): Promise<Response> {
  for (;;) {
    try {
      return await fetch(url);
    } catch {
      await sleep(10);
    }
  }
}

describe('gpu-worker start-up', () => {
  it('answers its probes while its packs load, not ready until they have', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // Espeak and a pack take a moment to load (warm-up included): the window the probes are asked in.
    const starting = startGpuWorker({ args: ['--port', String(port), '--pack', join(dir, 'tiny')] });
    starting.then((worker) => spawned.push(worker), () => {});

    const readyFirst = starting.then(() => Promise.reject(new Error('the worker was ready before its probes answered')));
    const loading = await Promise.race([firstAnswer(`${base}/readyz`), readyFirst]);
    const [healthz, metrics, catalog] = await Promise.all([
      fetch(`${base}/healthz`),
      fetch(`${base}/metrics`),
      signedWorkerFetch(base, TEST_WORKER_SECRET, '/v1/catalog').then(({ response }) => response),
    ]);
    expect({ status: loading.status, body: await loading.json() }).toEqual({ status: 503, body: { status: 'not_ready', active: 0, queued: 0 } });
    expect(healthz.status).toBe(200);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tts_queue_depth 0');
    expect(catalog.status).toBe(503);
    expect(await catalog.json()).toMatchObject({ error: { code: 'worker_not_ready' } });

    const worker = await starting;
    expect(worker.url).toBe(base);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const served = await (await signedWorkerFetch(base, worker.secret, '/v1/catalog')).response.json();
    expect(served).toMatchObject({ models: [{ id: 'espeak' }, { id: modelId }] });
    const loadTime = new RegExp(`^tts_pack_load_seconds\\{model="${modelId}"\\} (\\S+)$`, 'm').exec(await (await fetch(`${base}/metrics`)).text());
    expect(Number(loadTime?.[1])).toBeGreaterThan(0);
  });
});
