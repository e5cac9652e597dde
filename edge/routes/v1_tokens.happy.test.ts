import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';

// Client tokens minted by a key, then used alone, against real KV, D1 and the account's object.
let worker: GpuWorkerHarness;
let edge: EdgeHarness;
let accountId: string;
let key: { key: string; id: string };

beforeAll(async () => {
  worker = await startGpuWorker();
  edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
  accountId = (await edge.createAccount({ credits: 100_000 })).id;
  key = await edge.createKey({ account: accountId });
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
});

type Token = { id: string; token: string; status: string; expires_at: string; created_at: string; [field: string]: unknown };

export async function mint(edgeHarness: EdgeHarness, keySecret: string, body: Record<string, unknown> = {}): Promise<Token> {
  const response = await edgeHarness.fetch('/v1/tokens', { method: 'POST', key: keySecret, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Token;
}

const speak = (token: string, body: Record<string, unknown> = {}, path = '/v1/audio/speech') =>
  edge.fetch(path, { method: 'POST', key: token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'Hello there.', response_format: 'pcm', ...body }) });

const ledgerRows = async (requestIds: string[]) => {
  const db = await edge.mf.getD1Database('DB');
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { results } = await db
      .prepare(`SELECT request_id, key_id, token_id, credits_charged FROM usage_ledger WHERE request_id IN (${requestIds.map(() => '?').join(',')})`)
      .bind(...requestIds)
      .all<{ request_id: string; key_id: string; token_id: string | null; credits_charged: number }>();
    if (results.length === requestIds.length) return results;
    if (Date.now() > deadline) throw new Error(`the ledger has ${results.length} of ${requestIds.length} rows`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('POST /v1/tokens', () => {
  it('mints a token with the defaults: ten minutes, speech and realtime, no caps, its key\'s origins', async () => {
    const before = Date.now();
    const token = await mint(edge, key.key);
    expect(token.token).toMatch(/^tkn_acct_[0-9a-f]+\.[0-9a-f]{64}$/);
    expect(token).toMatchObject({
      object: 'client_token',
      key_id: key.id,
      status: 'active',
      scopes: ['speech', 'realtime'],
      models: null,
      voices: null,
      allowed_origins: null,
      single_use: false,
      max_characters: null,
      max_requests: null,
      characters_used: 0,
      requests_used: 0,
    });
    const ttl = Date.parse(token.expires_at) - Date.parse(token.created_at);
    expect(ttl).toBe(600_000);
    expect(Date.parse(token.created_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('speaks with the token alone, charged to the account, with the token on the ledger row', async () => {
    const token = await mint(edge, key.key, { max_characters: 1_000, max_requests: 5 });
    const response = await speak(token.token, {}, '/v1/audio/speech');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-token-remaining-characters')).toBe(String(1_000 - 12));
    expect(response.headers.get('x-token-remaining-requests')).toBe('4');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const [row] = await ledgerRows([response.headers.get('x-request-id')!]);
    expect(row).toMatchObject({ key_id: key.id, token_id: token.id, credits_charged: 12 });

    const shown = (await (await edge.fetch(`/v1/tokens/${token.id}`, { key: key.key })).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: token.id, status: 'active', characters_used: 12, characters_reserved: 0, characters_remaining: 988, requests_used: 1, requests_remaining: 4 });
    expect(shown).not.toHaveProperty('token');
  });

  it('speaks with timestamps, and lists voices and models with voices:read', async () => {
    const token = await mint(edge, key.key, { scopes: ['speech', 'voices:read'] });
    const timed = await speak(token.token, { response_format: 'wav' }, '/v1/audio/speech/with-timestamps');
    expect(timed.status).toBe(200);
    expect(((await timed.json()) as { alignment: { words: unknown[] } }).alignment.words.length).toBeGreaterThan(0);
    for (const path of ['/v1/voices', '/v1/models']) {
      const listed = await edge.fetch(path, { key: token.token });
      expect(listed.status, path).toBe(200);
      expect(((await listed.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    }
  });

  it('DELETE revokes it from the next request on; GET shows it revoked', async () => {
    const token = await mint(edge, key.key);
    expect((await speak(token.token)).status).toBe(200);
    const revoked = await edge.fetch(`/v1/tokens/${token.id}`, { method: 'DELETE', key: key.key });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: token.id, status: 'revoked' });
    const refused = await speak(token.token);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
  });

  it('groups usage by token', async () => {
    const token = await mint(edge, key.key);
    const spoken = await speak(token.token, { input: 'Group me.' });
    expect(spoken.status).toBe(200);
    await spoken.arrayBuffer();
    await ledgerRows([spoken.headers.get('x-request-id')!]);
    const usage = (await (await edge.fetch('/v1/usage?group_by=token', { key: key.key })).json()) as { data: Array<{ token_id: string | null; characters: number }> };
    expect(usage.data.find((row) => row.token_id === token.id)).toMatchObject({ characters: 9 });
  });
});
