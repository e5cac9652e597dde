import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../../test/harness/gpu-worker.ts';

// The dialect's frame: the official SDK pointed at /elevenlabs, authenticated with our key.
let worker: GpuWorkerHarness;
let edge: EdgeHarness;
let key: string;

beforeAll(async () => {
  worker = await startGpuWorker();
  edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
  key = (await edge.createKey()).key;
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
});

const client = (apiKey: string) => new ElevenLabsClient({ apiKey, baseUrl: `${edge.url}/elevenlabs`, maxRetries: 0 });

describe('the ElevenLabs dialect', () => {
  it('takes our key as xi-api-key: models.list() lists the served models in its shape', async () => {
    const models = await client(key).models.list();
    expect(models.length).toBeGreaterThan(0);
    expect(models[0]).toMatchObject({ modelId: 'espeak', canDoTextToSpeech: true, tokenCostFactor: 1 });
    expect(models[0]!.languages!.map((language) => language.languageId)).toContain('en');
  });

  it('refuses a wrong key 401 in its error shape, which the SDK raises as its own error', async () => {
    const error = await client('tts_wrong-key-wrong-key-wrong').models.list().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ElevenLabsError);
    expect((error as ElevenLabsError).statusCode).toBe(401);
    expect((error as ElevenLabsError).body).toMatchObject({ detail: { status: 'invalid_api_key', message: expect.any(String) } });
  });

  it('asks for xi-api-key when no key came', async () => {
    const response = await edge.fetch('/elevenlabs/v1/models');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ detail: { status: 'missing_api_key', message: expect.stringContaining('xi-api-key') } });
  });

  it('answers an unknown path under the prefix 404 in its shape, and our own paths in ours', async () => {
    const unknown = await edge.fetch('/elevenlabs/v1/nothing-here', { headers: { 'xi-api-key': key } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ detail: { status: 'route_not_found' } });
    const own = await edge.fetch('/v1/nothing-here', { key });
    expect(await own.json()).toMatchObject({ error: { code: 'route_not_found' } });
  });

  it('takes Authorization: Bearer too, and a client token', async () => {
    const bearer = await edge.fetch('/elevenlabs/v1/models', { key });
    expect(bearer.status).toBe(200);
    const minted = await edge.fetch('/v1/tokens', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scopes: ['voices:read'] }) });
    const { token } = (await minted.json()) as { token: string };
    expect((await client(token).models.list()).length).toBeGreaterThan(0);
  });
});
