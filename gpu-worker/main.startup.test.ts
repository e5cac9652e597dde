import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch } from '../test/worker-client.ts';
import { MANIFEST_FILE } from './engines/qwen3/pack.ts';
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

/**
 * Swaps a pack's manifest for a named pipe: the worker's load of that pack waits on it (it reads
 * the manifest first) until `release` writes the manifest in, so the probes are asked while it
 * loads for certain, not in a window as long as a load happens to take.
 */
async function holdLoadAtManifest(packDir: string): Promise<{ release: () => Promise<void> }> {
  const path = join(packDir, MANIFEST_FILE);
  const manifest = await readFile(path);
  await rm(path);
  execFileSync('mkfifo', [path]);
  return {
    async release() {
      await writeFile(path, manifest); // opens once the worker reads, returns once it has it all
      await rm(path);
      await writeFile(path, manifest);
    },
  };
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
    const load = await holdLoadAtManifest(join(dir, 'tiny'));
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
    expect(await metrics.text()).toContain('tts_queue_depth{priority="live"} 0');
    expect(catalog.status).toBe(503);
    expect(await catalog.json()).toMatchObject({ error: { code: 'worker_not_ready' } });

    await load.release();
    const worker = await starting;
    expect(worker.url).toBe(base);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const served = await (await signedWorkerFetch(base, worker.secret, '/v1/catalog')).response.json();
    expect(served).toMatchObject({ models: [{ id: 'espeak' }, { id: modelId }] });
    const loadTime = new RegExp(`^tts_pack_load_seconds\\{model="${modelId}"\\} (\\S+)$`, 'm').exec(await (await fetch(`${base}/metrics`)).text());
    expect(Number(loadTime?.[1])).toBeGreaterThan(0);
  });
});
