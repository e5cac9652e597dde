import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKeySecret } from '../auth/api-key-secret.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { filesUnder } from '../../test/harness/stored-files.ts';

// Keys against real KV, D1 and the account's Durable Object; storage kept on disk so that it
// can be searched for secrets.
let worker: GpuWorkerHarness;
let edge: EdgeHarness;
let storageDir: string;
beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'edge-storage-'));
  worker = await startGpuWorker();
  edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, persistTo: storageDir });
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

const speech = (key: string) =>
  edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'Hello.' }) });
const usage = (key: string) => edge.fetch('/v1/usage', { key });
const models = (key: string) => edge.fetch('/v1/models', { key });

async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('x-request-id')).toBeTruthy();
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
}

describe('revoked keys', () => {
  it('are refused at once on every route, even where KV still serves the key as valid', async () => {
    const { key, id } = await edge.createKey();
    const before = await speech(key);
    expect(before.status).toBe(200);
    await before.arrayBuffer();
    const kv = await edge.mf.getKVNamespace('API_KEYS');
    const kvKey = `key:${await hashKeySecret(key)}`;
    const staleRecord = await kv.get(kvKey, 'text'); // what an edge location may still have cached

    expect((await edge.admin('DELETE', `/admin/keys/${id}`)).status).toBe(200);
    for (const call of [speech, usage, models]) await expectRefused(await call(key), 401, 'revoked_api_key');

    // Put the stale, unrevoked record back, as a KV cache that has not caught up would serve it:
    // the account's Durable Object still refuses the key.
    await kv.put(kvKey, staleRecord!);
    expect(JSON.parse((await kv.get(kvKey, 'text'))!).revoked_at ?? null).toBeNull();
    for (const call of [speech, usage, models]) await expectRefused(await call(key), 401, 'revoked_api_key');
  });
});

describe('key records', () => {
  it('are kept by the isolate once read, as KV keeps them at the edge: the key works with its KV record gone', async () => {
    const { key } = await edge.createKey();
    expect((await models(key)).status).toBe(200);
    const kv = await edge.mf.getKVNamespace('API_KEYS');
    await kv.delete(`key:${await hashKeySecret(key)}`);
    expect(await kv.get(`key:${await hashKeySecret(key)}`)).toBeNull();
    const response = await speech(key);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });
});

describe('expired and unknown keys', () => {
  it('refuses an expired key with 401 expired_api_key, on every route', async () => {
    const { key } = await edge.createKey({ expires_at: new Date(Date.now() - 1_000).toISOString() });
    for (const call of [speech, usage, models]) await expectRefused(await call(key), 401, 'expired_api_key');
  });

  it('refuses a key once it expires, even where KV serves a record without the expiry', async () => {
    // Real time must pass the expiry; until then the key is used once (its tampered record cached).
    // Those four requests get 5 s: room for a loaded machine, not a race the test means to run.
    const expiresAt = Date.now() + 5_000;
    const { key } = await edge.createKey({ expires_at: new Date(expiresAt).toISOString() });
    const kv = await edge.mf.getKVNamespace('API_KEYS');
    const kvKey = `key:${await hashKeySecret(key)}`;
    const record = JSON.parse((await kv.get(kvKey, 'text'))!) as Record<string, unknown>;
    await kv.put(kvKey, JSON.stringify({ ...record, expires_at: null }));
    expect((await models(key)).status, 'the key was used only after it expired').toBe(200);
    await expect.poll(() => Date.now() > expiresAt, { timeout: 10_000, interval: 50 }).toBe(true);
    await expectRefused(await models(key), 401, 'expired_api_key');
  });

  it('refuses a key that was never issued with 401 invalid_api_key', async () => {
    await expectRefused(await speech('tts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 401, 'invalid_api_key');
  });
});

describe('scopes', () => {
  it('answers 403 missing_scope for a key without the route scope', async () => {
    const { key: voicesOnly } = await edge.createKey({ scopes: ['voices'] });
    await expectRefused(await speech(voicesOnly), 403, 'missing_scope');
    await expectRefused(await usage(voicesOnly), 403, 'missing_scope');
    const { key: speechOnly } = await edge.createKey({ scopes: ['speech'] });
    await expectRefused(await usage(speechOnly), 403, 'missing_scope');
    expect((await usage((await edge.createKey({ scopes: ['usage'] })).key)).status).toBe(200);
  });
});

describe('key secrets', () => {
  it('appear nowhere in KV, D1, Durable Object storage or logs; only their hash is stored', async () => {
    const { key, id } = await edge.createKey();
    const ok = await speech(key);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    await usage(key);
    await speech(`${key}x`); // a wrong key near the real one, which error paths might echo
    await edge.admin('DELETE', `/admin/keys/${id}`);
    await speech(key);
    // Wait for settlement to be written, so that the ledger and the object's storage are on disk.
    const db = await edge.mf.getD1Database('DB');
    // (The account's object writes it within about a second of the settlement: LEDGER_GATHER_MS.)
    await expect
      .poll(async () => (await db.prepare('SELECT count(*) AS n FROM usage_ledger WHERE key_id = ?1').bind(id).first<{ n: number }>())!.n, { timeout: 15_000 })
      .toBe(1);

    const hidden = key.slice(12); // the part after the visible prefix
    const files = await filesUnder(storageDir);
    expect(files.length).toBeGreaterThan(3); // KV, D1 and the Durable Object all wrote here
    const hash = await hashKeySecret(key);
    let hashSeen = false;
    for (const file of files) {
      const bytes = await readFile(file);
      for (const text of [bytes.toString('utf8'), bytes.toString('latin1'), bytes.toString('utf16le')]) {
        expect(text.includes(hidden), `secret found in ${file}`).toBe(false);
      }
      hashSeen ||= bytes.toString('latin1').includes(hash);
    }
    expect(hashSeen).toBe(true);
    const logs = edge.logs.join('\n') + JSON.stringify(worker.logs);
    expect(logs.includes(hidden)).toBe(false);
  });
});

