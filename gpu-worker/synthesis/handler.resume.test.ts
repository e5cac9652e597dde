import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../shared/audio/formats.ts';
import { WORKER_PATHS, WorkerCatalogSchema } from '../../shared/protocol/worker-api.ts';
import { RESPONSE_FORMATS } from '../../shared/schemas/speech.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../../test/worker-client.ts';
import { writeTinyPack } from '../engines/qwen3/tiny-pack/generate.ts';

// A seeded model regenerates the same samples, so a stream of any format but Ogg continues byte
// for byte on another worker: what the edge relies on when a worker dies mid-stream.
let dir: string;
let worker: GpuWorkerHarness;
let model: string;
let voice: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiny-pack-'));
  model = (await writeTinyPack(dir)).id;
  worker = await startGpuWorker({ args: ['--pack', dir] });
  const { response } = await signedWorkerFetch(worker.url, worker.secret, WORKER_PATHS.catalog);
  voice = WorkerCatalogSchema.parse(await response.json()).models.find((m) => m.id === model)!.default_voice;
});
afterAll(async () => {
  await worker?.stop();
  await rm(dir, { recursive: true, force: true });
});

const bytesOf = async (body: Parameters<typeof synthesisBody>[0]) => {
  const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody(body) });
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
};

describe('resume_at_byte on a seeded model', () => {
  it.each(RESPONSE_FORMATS.filter((format) => FORMATS[format].splice !== 'none'))('%s: the rest is exactly the bytes after the cut', async (response_format) => {
    const body = { model, voice, language: 'en', input: 'Continued byte for byte on another worker.', seed: 11 };
    const whole = await bytesOf({ ...body, response_format });
    expect(whole.byteLength).toBeGreaterThan(1000);
    const cut = Math.floor(whole.byteLength / 2) | 1; // odd: inside a sample, a frame or a header field
    const rest = await bytesOf({ ...body, response_format, resume_at_byte: cut });
    expect(rest.byteLength).toBe(whole.byteLength - cut);
    expect(Buffer.compare(rest, whole.subarray(cut))).toBe(0);
  });
});
