import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';

// Refusals must reach a page on another origin as the API's JSON error, not as a CORS failure:
// each carries the CORS headers. A worker serves the catalogue, which speech reads before admission.
const PAGE = 'https://app.example.com';

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

const speech = (key: string | null, body: unknown = { input: 'Hello.' }) =>
  edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { origin: PAGE, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The refusal a page reads: its status and code, with the CORS headers that let it read them. */
async function expectReadableRefusal(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  expect(response.headers.get('access-control-expose-headers')?.split(',')).toEqual(expect.arrayContaining(['x-request-id', 'retry-after', 'x-ratelimit-remaining']));
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
}

describe('error answers of the public API carry CORS headers', () => {
  it('401 without a key and with a wrong one', async () => {
    await expectReadableRefusal(await speech(null), 401, 'missing_api_key');
    await expectReadableRefusal(await speech('tts_not_a_key_of_this_edge_at_all'), 401, 'invalid_api_key');
  });

  it('400 and 413 from the body, 404 for an unknown route (the not-found handler)', async () => {
    const { key } = await edge.createKey();
    const invalid = await edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { origin: PAGE, 'content-type': 'application/json' }, body: '{' });
    await expectReadableRefusal(invalid, 400, 'invalid_json');
    await expectReadableRefusal(await speech(key, { input: 'x'.repeat(140_000) }), 413, 'body_too_large');
    await expectReadableRefusal(await edge.fetch('/v1/no-such-route', { key, headers: { origin: PAGE } }), 404, 'route_not_found');
  });

  it('402 without credits, with the limit headers exposed', async () => {
    const { key } = await edge.createKey({ credits: 0 });
    const refused = await speech(key);
    expect(refused.headers.get('x-credits-remaining')).toBe('0');
    await expectReadableRefusal(refused, 402, 'insufficient_credits');
  });

  it('429 over the request rate, with Retry-After exposed', async () => {
    const { key } = await edge.createKey({ limits: { requests_per_minute: 1 } });
    const first = await speech(key); // the minute's one request
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const refused = await speech(key);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    await expectReadableRefusal(refused, 429, 'rate_limit_requests');
  });
});

describe('a misconfigured edge', () => {
  let broken: EdgeHarness;
  beforeAll(async () => {
    broken = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused', vars: { DEFAULT_RESPONSE_FORMAT: 'ogg' } });
  });
  afterAll(() => broken?.dispose());

  it('answers its 500 (the error handler) with CORS headers, and its preflight still', async () => {
    const refused = await broken.fetch('/v1/models', { key: 'tts_whatever_key_0123456789', headers: { origin: PAGE } });
    await expectReadableRefusal(refused, 500, 'server_misconfigured');
    const preflight = await broken.fetch('/v1/models', { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
  });
});
