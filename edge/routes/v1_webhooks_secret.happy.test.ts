import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { verifyWebhook, webhookHeaders } from '../jobs/webhooks/signing.ts';

// GET /v1/webhooks/secret and POST /v1/webhooks/secret/rotate against the edge's real D1 in
// workerd; webhookSecretFor (what a job's object signs with) reads the same database from here.
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

type SecretBody = { object: string; secret: string; created_at: string };
async function secretVia(method: 'GET' | 'POST', key: string): Promise<SecretBody> {
  const response = await edge.fetch(method === 'GET' ? '/v1/webhooks/secret' : '/v1/webhooks/secret/rotate', { method, key });
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as SecretBody;
}
const database = async () => ({ DB: await edge.mf.getD1Database('DB') });

/*
 * webhookSecretFor is imported by a path in a variable, which the type checker does not follow:
 * tests are checked against Node's types, the storage it uses needs the Workers' (D1Database).
 */
type WebhookSecretFor = (env: { DB: unknown }, accountId: string) => Promise<string>;
async function webhookSecretFor(env: { DB: unknown }, accountId: string): Promise<string> {
  const accountSecretModule = '../jobs/webhooks/account-secret.ts';
  const { webhookSecretFor: secretFor } = (await import(/* @vite-ignore */ accountSecretModule)) as { webhookSecretFor: WebhookSecretFor };
  return secretFor(env, accountId);
}

describe('GET /v1/webhooks/secret', () => {
  it("makes the account's secret on the first call and answers the same one after, to any of its keys", async () => {
    const { key, account_id } = await edge.createKey();
    const second = await edge.createKey({ account: account_id });
    const before = Date.now();
    const first = await secretVia('GET', key);
    expect(first).toEqual({ object: 'webhook_secret', secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/), created_at: expect.any(String) });
    expect(Date.parse(first.created_at)).toBeGreaterThanOrEqual(before - 1_000);
    expect(await secretVia('GET', key)).toEqual(first);
    expect(await secretVia('GET', second.key)).toEqual(first);
    expect(await webhookSecretFor(await database(), account_id)).toBe(first.secret);
  });

  it('gives each account its own secret, and one secret to first calls made at once', async () => {
    const a = await edge.createKey();
    const b = await edge.createKey();
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => secretVia('GET', i % 2 ? a.key : b.key)));
    const ofA = new Set(answers.filter((_, i) => i % 2).map(({ secret }) => secret));
    const ofB = new Set(answers.filter((_, i) => !(i % 2)).map(({ secret }) => secret));
    expect(ofA.size).toBe(1);
    expect(ofB.size).toBe(1);
    expect([...ofA][0]).not.toBe([...ofB][0]);
  });
});

describe('POST /v1/webhooks/secret/rotate', () => {
  it('replaces the secret at once: what signs from then on is the new one, which the old does not verify', async () => {
    const { key, account_id } = await edge.createKey();
    const old = await secretVia('GET', key);
    const rotated = await secretVia('POST', key);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(old.secret);
    expect(Date.parse(rotated.created_at)).toBeGreaterThanOrEqual(Date.parse(old.created_at));
    expect(await secretVia('GET', key)).toEqual(rotated);

    const signing = await webhookSecretFor(await database(), account_id);
    expect(signing).toBe(rotated.secret);
    const message = { id: 'evt_rotation', timestampSeconds: Math.floor(Date.now() / 1000), body: '{"type":"job.completed"}' };
    const headers = await webhookHeaders(signing, message);
    expect(await verifyWebhook(rotated.secret, headers, message.body)).toBe(true);
    expect(await verifyWebhook(old.secret, headers, message.body)).toBe(false);
  });

  it('makes a secret for an account that had none', async () => {
    const { key, account_id } = await edge.createKey();
    const rotated = await secretVia('POST', key);
    expect(await secretVia('GET', key)).toEqual(rotated);
    expect(await webhookSecretFor(await database(), account_id)).toBe(rotated.secret);
  });
});

describe('webhookSecretFor', () => {
  it("makes the account's secret when it has none, the one GET then answers", async () => {
    const { key, account_id } = await edge.createKey();
    const made = await webhookSecretFor(await database(), account_id);
    expect(made).toMatch(/^whsec_/);
    expect((await secretVia('GET', key)).secret).toBe(made);
  });
});
