import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountObjectStub, plain } from '../../test/harness/account-object.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

// The admin API alone: no speech worker is needed to manage accounts, keys and credits.
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as any });

describe('admin accounts', () => {
  it('creates an account with credits and limits, and shows balance, limits and usage totals', async () => {
    const limits = { requests_per_minute: 10, characters_per_minute: 5_000, concurrent_streams: 3 };
    const created = await json(await edge.admin('POST', '/admin/accounts', { name: 'Acme', credits: 1_500, limits }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^acct_/),
      object: 'account',
      name: 'Acme',
      balance: 1_500,
      reserved: 0,
      limits,
      audio_cache: true,
      active_streams: 0,
      usage: { requests: 0, characters: 0, audio_ms: 0, credits_charged: 0 },
    });
    const shown = await json(await edge.admin('GET', `/admin/accounts/${created.body.id}`));
    expect(shown).toEqual({ status: 200, body: created.body });
  });

  it('gives an account created with only a name no credits and the default limits', async () => {
    const { body } = await json(await edge.admin('POST', '/admin/accounts', { name: 'Bare' }));
    expect(body).toMatchObject({ balance: 0, limits: { requests_per_minute: 60, characters_per_minute: 50_000, concurrent_streams: 4, max_voices: 100 } });
    const partial = await json(await edge.admin('POST', '/admin/accounts', { name: 'Partial', limits: { concurrent_streams: 1 } }));
    expect(partial.body.limits).toEqual({ requests_per_minute: 60, characters_per_minute: 50_000, concurrent_streams: 1, max_voices: 100 });
  });

  it("turns an account's audio cache off and on again, and creates one with it off", async () => {
    const { id } = await edge.createAccount();
    const off = await json(await edge.admin('PATCH', `/admin/accounts/${id}`, { audio_cache: false }));
    expect(off).toMatchObject({ status: 200, body: { id, object: 'account', audio_cache: false } });
    expect((await json(await edge.admin('GET', `/admin/accounts/${id}`))).body.audio_cache).toBe(false);
    // Setting it to what it is already changes nothing and is no error.
    expect((await json(await edge.admin('PATCH', `/admin/accounts/${id}`, { audio_cache: false }))).body.audio_cache).toBe(false);
    expect((await json(await edge.admin('PATCH', `/admin/accounts/${id}`, { audio_cache: true }))).body.audio_cache).toBe(true);

    const created = await json(await edge.admin('POST', '/admin/accounts', { name: 'No cache', audio_cache: false }));
    expect(created).toMatchObject({ status: 201, body: { audio_cache: false } });
  });

  it("answers every admission with the account's audio-cache setting, the PATCH's from the next one on", async () => {
    const { id: keyId, account_id } = await edge.createKey({ credits: 100 });
    const ns = await edge.mf.getDurableObjectNamespace('ACCOUNTS');
    const account = ns.get(ns.idFromName(account_id)) as unknown as AccountObjectStub;
    const admit = (request_id: string) => plain(account.admit({ request_id, key_id: keyId, characters: 1 }));
    expect(await admit('before')).toMatchObject({ ok: true, audio_cache: true });
    await edge.admin('PATCH', `/admin/accounts/${account_id}`, { audio_cache: false });
    expect(await admit('after')).toMatchObject({ ok: true, audio_cache: false });
    await edge.admin('PATCH', `/admin/accounts/${account_id}`, { audio_cache: true });
    expect(await admit('again')).toMatchObject({ ok: true, audio_cache: true });
  });

  it('adds credits and removes them with a negative amount', async () => {
    const { id } = await edge.createAccount({ credits: 100 });
    const added = await json(await edge.admin('POST', `/admin/accounts/${id}/credits`, { amount: 250, reason: 'top-up' }));
    expect(added).toMatchObject({ status: 201, body: { object: 'credit_grant', account_id: id, amount: 250, balance: 350 } });
    const removed = await json(await edge.admin('POST', `/admin/accounts/${id}/credits`, { amount: -350 }));
    expect(removed.body.balance).toBe(0);
    expect((await json(await edge.admin('GET', `/admin/accounts/${id}`))).body.balance).toBe(0);
  });
});

describe('admin keys', () => {
  it('returns the secret once, with an id and a visible prefix; listings never show it', async () => {
    const { id: accountId } = await edge.createAccount();
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await json(await edge.admin('POST', `/admin/accounts/${accountId}/keys`, { scopes: ['speech'], expires_at: expiresAt }));
    expect(created.status).toBe(201);
    const { key, ...record } = created.body;
    expect(key).toMatch(/^tts_[A-Za-z0-9_-]{43}$/);
    expect(record).toEqual({
      object: 'api_key',
      id: expect.stringMatching(/^key_/),
      account_id: accountId,
      prefix: key.slice(0, 12),
      scopes: ['speech'],
      created_at: expect.any(String),
      expires_at: expiresAt,
      revoked_at: null,
      allowed_origins: null,
    });
    const listed = await json(await edge.admin('GET', `/admin/accounts/${accountId}/keys`));
    expect(listed.body).toEqual({ object: 'list', data: [record] });
    expect(JSON.stringify(listed.body)).not.toContain(key);
  });

  it('defaults a key to every scope and no expiry', async () => {
    const { id: accountId } = await edge.createAccount();
    const { body } = await json(await edge.admin('POST', `/admin/accounts/${accountId}/keys`, {}));
    expect(body).toMatchObject({ scopes: ['speech', 'voices', 'usage', 'tokens'], expires_at: null });
  });

  it('revokes a key: its record says when, and revoking again keeps the first time', async () => {
    const { id, account_id } = await edge.createKey();
    const revoked = await json(await edge.admin('DELETE', `/admin/keys/${id}`));
    expect(revoked).toMatchObject({ status: 200, body: { id, account_id, revoked_at: expect.any(String) } });
    expect(revoked.body.key).toBeUndefined();
    const again = await json(await edge.admin('DELETE', `/admin/keys/${id}`));
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
  });
});
