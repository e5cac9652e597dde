import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_WINDOW_MS, SIGNATURE_HEADERS } from '../shared/protocol/signing.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';

let worker: GpuWorkerHarness;
beforeAll(async () => {
  worker = await startGpuWorker();
});
afterAll(() => worker?.stop());

async function expectRefused(response: Response, reason: RegExp) {
  expect(response.status).toBe(401);
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  expect(error.code).toBe('invalid_signature');
  expect(error.message).toMatch(reason);
}

describe('gpu-worker accepts only fresh requests signed by the edge', () => {
  it('serves a signed request', async () => {
    const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody() });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('refuses an unsigned request', async () => {
    const response = await fetch(`${worker.url}/v1/synthesize`, { method: 'POST', body: synthesisBody() });
    await expectRefused(response, /not signed/);
  });

  it('refuses a request signed with another secret', async () => {
    const { response } = await signedWorkerFetch(worker.url, 'not-the-shared-secret-at-all', '/v1/synthesize', { body: synthesisBody() });
    await expectRefused(response, /does not match/);
  });

  it('refuses a replayed request, byte for byte the same', async () => {
    const body = synthesisBody();
    const first = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body });
    expect(first.response.status).toBe(200);
    await first.response.arrayBuffer();
    const replay = await fetch(`${worker.url}/v1/synthesize`, { method: 'POST', headers: first.headers, body });
    await expectRefused(replay, /already used/);
  });

  it('refuses a request whose timestamp is outside the replay window', async () => {
    const { response } = await signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', {
      body: synthesisBody(),
      now: Date.now() - REPLAY_WINDOW_MS - 5_000,
    });
    await expectRefused(response, /replay window/);
  });

  it('refuses a signed request whose body was changed', async () => {
    const { headers } = await signedWorkerFetch(worker.url, worker.secret, '/v1/catalog');
    const tampered = await fetch(`${worker.url}/v1/synthesize`, {
      method: 'POST',
      headers: { [SIGNATURE_HEADERS.timestamp]: headers[SIGNATURE_HEADERS.timestamp]!, [SIGNATURE_HEADERS.signature]: headers[SIGNATURE_HEADERS.signature]! },
      body: synthesisBody({ input: 'Something else entirely.' }),
    });
    await expectRefused(tampered, /does not match/);
  });

  it('leaves the health probes open', async () => {
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${worker.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
  });
});
