import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_HEADERS, WORKER_PATHS, WorkerCatalogSchema } from '../shared/protocol/worker-api.ts';
import type { ModelInfo } from '../shared/schemas/catalog.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';
import { loadQwen3Engine } from './engines/qwen3/index.ts';
import { MANIFEST_FILE } from './engines/qwen3/pack.ts';
import { writeTinyPack } from './engines/qwen3/tiny-pack/generate.ts';
import { type FakeEdge, startFakeEdge } from './pool/fake-edge.ts';

// A model's version names what made its audio: the audio cache keys renderings by it.
let dir: string;
let tinyModel: string;
let edge: FakeEdge;
let worker: GpuWorkerHarness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-version-'));
  tinyModel = (await writeTinyPack(join(dir, 'tiny'))).id;
  edge = await startFakeEdge('model-version-secret-0123456789ab');
  worker = await startGpuWorker({ secret: 'model-version-secret-0123456789ab', edgeUrl: edge.url, args: ['--pack', join(dir, 'tiny')] });
});
afterAll(async () => {
  await worker?.stop();
  await edge?.close();
  await rm(dir, { recursive: true, force: true });
});

const packageVersion = async (path: string) => (JSON.parse(await readFile(path, 'utf8')) as { version: string }).version;

async function catalogModels(): Promise<ModelInfo[]> {
  const { response } = await signedWorkerFetch(worker.url, worker.secret, WORKER_PATHS.catalog);
  return WorkerCatalogSchema.parse(await response.json()).models;
}

describe('model versions', () => {
  it('names the espeak-ng build and the worker release for espeak, the manifest digest and the release for a pack', async () => {
    const worker = await packageVersion(new URL('../package.json', import.meta.url).pathname);
    const espeak = await packageVersion(createRequire(import.meta.url).resolve('@echogarden/espeak-ng-emscripten/package.json'));
    const versions = Object.fromEntries((await catalogModels()).map((model) => [model.id, model.version]));
    expect(versions.espeak).toBe(`espeak-ng@${espeak}+worker@${worker}`);
    expect(versions[tinyModel]).toMatch(new RegExp(`^pack:[0-9a-f]{12}\\+worker@${worker.replaceAll('.', '\\.')}$`));
  });

  it('answers each synthesis with the version of the model that made it', async () => {
    const versions = new Map((await catalogModels()).map((model) => [model.id, model.version]));
    for (const model of ['espeak', tinyModel]) {
      const voice = model === 'espeak' ? 'en-female' : 'default';
      const { response } = await signedWorkerFetch(worker.url, worker.secret, WORKER_PATHS.synthesize, { body: synthesisBody({ model, voice, seed: 7 }) });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      expect(response.headers.get(AUDIO_HEADERS.modelVersion)).toBe(versions.get(model));
    }
  });

  it('sends the versions in its heartbeats', async () => {
    const versions = (await catalogModels()).map(({ id, version }) => ({ id, version }));
    await expect.poll(() => edge.accepted().length).toBeGreaterThan(0);
    expect(edge.accepted()[0]!.models.map(({ id, version }) => ({ id, version }))).toEqual(versions);
  });

  it('changes with the pack: new weights under the same id change it, the manifest rewritten alike does not', async () => {
    const versionOf = async (packDir: string) => {
      const engine = await loadQwen3Engine(packDir, { warmUp: false });
      await engine.close();
      return engine.info.version;
    };
    const original = join(dir, 'original');
    const retrained = join(dir, 'retrained');
    const { id } = await writeTinyPack(original);
    await writeTinyPack(retrained, { id, seed: 99 });
    const before = await versionOf(original);
    expect(await versionOf(retrained)).not.toBe(before);

    // The same manifest reformatted is the same pack.
    const manifestPath = join(original, MANIFEST_FILE);
    await writeFile(manifestPath, JSON.stringify(JSON.parse(await readFile(manifestPath, 'utf8'))));
    expect(await versionOf(original)).toBe(before);

    // A sampling setting changes the audio: a new version.
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { generation: { temperature: number } };
    manifest.generation.temperature += 0.1;
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
    expect(await versionOf(original)).not.toBe(before);
  });
});
