import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/sha256.ts';
import { spokenClip, uploadVoice } from '../../test/clips.ts';
import { ledgerRowsOfToken, mintResponse, mintToken, refusal, speakWith, tokenView } from '../../test/harness/client-tokens.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { filesUnder } from '../../test/harness/stored-files.ts';
import { isType, RealtimeClient, upgradeAttempt } from '../../test/harness/realtime-client.ts';

// Client tokens against real KV, D1 and the account's Durable Object, with storage kept on disk
// so that it can be searched for tokens.
let worker: GpuWorkerHarness;
let edge: EdgeHarness;
let storageDir: string;
beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'edge-token-storage-'));
  worker = await startGpuWorker();
  edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, persistTo: storageDir });
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

const json = { 'content-type': 'application/json' };
/** The random part of a token: what must never be written anywhere. */
const secretPart = (token: string) => token.slice(token.indexOf('.') + 1);


describe('client tokens stay secret', () => {
  it('appear in no log line, analytics point, answer (but the mint) or stored file; only their hash is stored', async () => {
    const { key } = await edge.createKey();
    /** Every answer the edge gave with a token, headers and body, to search for the token. */
    const answers: string[] = [];
    const keep = async (response: Response) => {
      const body = await response.clone().text();
      answers.push(JSON.stringify([...response.headers]) + (response.headers.get('content-type')?.startsWith('audio/') ? '' : body));
      return response;
    };

    const token = await mintToken(edge, key, { max_characters: 60, scopes: ['speech', 'realtime', 'voices:read'] });
    const secret = secretPart(token.token);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    // Served: speech, a listing, the token's own view.
    const spoken = await keep(await speakWith(edge, token.token, { input: 'Hello there.' }));
    expect(spoken.status).toBe(200);
    await spoken.arrayBuffer();
    expect((await keep(await edge.fetch('/v1/voices', { key: token.token }))).status).toBe(200);
    expect((await keep(await edge.fetch(`/v1/tokens/${token.id}`, { key }))).status).toBe(200);

    // A socket opened with ?token=, as a browser opens it.
    const socket = await RealtimeClient.open(edge.url, { token: token.token });
    socket.send({ type: 'config', response_format: 'pcm' });
    await socket.waitFor(isType('ready'));
    socket.send({ type: 'text', text: 'Spoken on a socket.' });
    socket.send({ type: 'close' });
    expect((await socket.waitFor(isType('done'))).reason).toBe('closed');
    socket.close();
    answers.push(JSON.stringify(socket.received.map(({ data: _audio, ...message }) => ({ ...message, audio: undefined }))));

    // Refused: a cap, a scope, a route for keys, a wrong origin, a near miss, then revoked.
    await refusal(await keep(await speakWith(edge, token.token, { input: 'This sentence is far longer than what the token has left of its cap.' })), 402, 'token_exhausted');
    await refusal(await keep(await edge.fetch('/v1/usage', { key: token.token })), 403, 'token_scope');
    const bound = await mintToken(edge, key, { allowed_origins: ['https://app.example'] });
    await refusal(await keep(await speakWith(edge, bound.token, {}, { origin: 'https://evil.example' })), 403, 'origin_not_allowed');
    const nearMiss = `${token.token.slice(0, -1)}${token.token.endsWith('0') ? '1' : '0'}`;
    await refusal(await keep(await speakWith(edge, nearMiss)), 401, 'invalid_token');
    expect((await edge.fetch(`/v1/tokens/${token.id}`, { method: 'DELETE', key })).status).toBe(200);
    await refusal(await keep(await speakWith(edge, token.token)), 401, 'invalid_token');
    const upgrade = await upgradeAttempt(edge.url, `/v1/audio/speech/stream?token=${token.token}`);
    expect(upgrade.status).toBe(401);
    answers.push(JSON.stringify(upgrade.body));

    // Wait until what was spoken settled, so the ledger and the object's storage are on disk.
    const rows = await ledgerRowsOfToken(edge, token.id, 2);
    expect(rows.every((row) => row.token_id === token.id)).toBe(true);

    for (const answer of answers) {
      expect(answer.includes(secret), answer).toBe(false);
      expect(answer.includes(secretPart(bound.token))).toBe(false);
    }
    const logs = edge.logs.join('\n');
    expect(logs, 'the edge logged its requests and analytics points').toContain('"analytics_engine"');
    expect(logs).toContain(token.id);
    for (const hidden of [secret, secretPart(bound.token), secretPart(nearMiss)]) {
      expect(logs.includes(hidden)).toBe(false);
      expect(JSON.stringify(worker.logs).includes(hidden)).toBe(false);
    }

    const files = await filesUnder(storageDir);
    expect(files.length).toBeGreaterThan(3); // KV, D1 and the Durable Objects all wrote here
    const hash = await sha256Hex(secret);
    let hashSeen = false;
    for (const file of files) {
      const bytes = await readFile(file);
      for (const text of [bytes.toString('utf8'), bytes.toString('latin1'), bytes.toString('utf16le')]) {
        expect(text.includes(secret), `a token's secret in ${file}`).toBe(false);
        expect(text.includes(secretPart(bound.token)), `a token's secret in ${file}`).toBe(false);
      }
      hashSeen ||= bytes.toString('latin1').includes(hash);
    }
    expect(hashSeen, "the token's hash is what the account's object stores").toBe(true);
  });
});

describe('a client token works on speech and listings only', () => {
  it('is refused 403 token_scope on every route that takes a key, and nothing is created, deleted or minted', async () => {
    const { key, account_id } = await edge.createKey();
    const clip = await spokenClip(edge, key, 'This is a reference clip, read slowly and clearly so that it lasts a few seconds.');
    const voice = (await (await uploadVoice(edge, key, clip)).json()) as { id: string };
    const token = await mintToken(edge, key, { scopes: ['speech', 'realtime', 'voices:read'] });
    const other = await mintToken(edge, key);
    const accountVoices = async () => ((await (await edge.admin('GET', `/admin/accounts/${account_id}`)).json()) as { voices: number }).voices;
    expect(await accountVoices()).toBe(1);

    const withToken = (path: string, init: RequestInit = {}) => edge.fetch(path, { ...init, key: token.token });
    const refusedRoutes: Array<[string, () => Promise<Response>]> = [
      ['POST /v1/voices', () => uploadVoice(edge, token.token, new Uint8Array([...clip.slice(0, -2), 1, 2]))],
      ['POST /v1/voices/design', () => withToken('/v1/voices/design', { method: 'POST', headers: json, body: JSON.stringify({ description: 'A warm, low voice.', name: 'x' }) })],
      [`DELETE /v1/voices/${voice.id}`, () => withToken(`/v1/voices/${voice.id}`, { method: 'DELETE' })],
      ['GET /v1/usage', () => withToken('/v1/usage')],
      ['POST /v1/tokens', () => mintResponse(edge, token.token, { ttl_seconds: 60 })],
      [`GET /v1/tokens/${other.id}`, () => withToken(`/v1/tokens/${other.id}`)],
      [`DELETE /v1/tokens/${other.id}`, () => withToken(`/v1/tokens/${other.id}`, { method: 'DELETE' })],
      [`DELETE /v1/tokens/${token.id}`, () => withToken(`/v1/tokens/${token.id}`, { method: 'DELETE' })],
      ['POST /v1/audio/speech/stream/tickets', () => withToken('/v1/audio/speech/stream/tickets', { method: 'POST' })],
    ];
    for (const [route, call] of refusedRoutes) {
      const error = await refusal(await call(), 403, 'token_scope');
      expect(error.type, route).toBe('permission_error');
    }

    // Nothing was made or undone: the account's one voice is there, both tokens still work, no ticket.
    expect(await accountVoices()).toBe(1);
    expect((await edge.fetch(`/v1/voices/${voice.id}`, { key })).status).toBe(200);
    expect((await tokenView(edge, key, other.id)).status).toBe('active');
    expect((await tokenView(edge, key, token.id)).status).toBe('active');
    const spoken = await speakWith(edge, token.token);
    expect(spoken.status).toBe(200);
    await spoken.arrayBuffer();
  });

  it('the admin API takes no token: 401 invalid_admin_token', async () => {
    const { key, account_id, id } = await edge.createKey();
    const token = await mintToken(edge, key);
    for (const [method, path] of [
      ['POST', '/admin/accounts'],
      ['GET', `/admin/accounts/${account_id}`],
      ['POST', `/admin/accounts/${account_id}/keys`],
      ['POST', `/admin/accounts/${account_id}/credits`],
      ['DELETE', `/admin/keys/${id}`],
      ['GET', '/admin/pool'],
    ] as const) {
      const response = await edge.fetch(path, { method, key: token.token, ...(method === 'POST' ? { headers: json, body: '{"name":"x","credits":1000000}' } : {}) });
      await refusal(response, 401, 'invalid_admin_token');
    }
    // The key it tried to revoke still mints.
    expect((await mintToken(edge, key)).status).toBe('active');
  });

  it('one this edge did not sign is refused before any account object is opened: made-up account ids create no storage', async () => {
    const { key } = await edge.createKey();
    const minted = await mintToken(edge, key);
    const before = (await filesUnder(storageDir)).length;
    // Well-formed tokens for accounts no one has, and a real one with its signature changed.
    const madeUp = Array.from({ length: 5 }, (_, i) => `tkn_acct_${String(i).repeat(32)}.${'0123456789abcdef'.repeat(4)}`);
    const resigned = `${minted.token.slice(0, -1)}${minted.token.endsWith('0') ? '1' : '0'}`;
    for (const token of [...madeUp, resigned]) {
      await refusal(await speakWith(edge, token), 401, 'invalid_token');
      await refusal(await edge.fetch('/v1/voices', { key: token }), 401, 'invalid_token');
    }
    expect((await filesUnder(storageDir)).length).toBe(before);
  });
});

describe('minting needs the tokens scope', () => {
  it('a key without it gets 403 missing_scope on POST, GET and DELETE /v1/tokens', async () => {
    const owner = await edge.createKey();
    const speechOnly = await edge.createKey({ account: owner.account_id, scopes: ['speech'] });
    const minted = await mintToken(edge, owner.key);
    expect((await refusal(await mintResponse(edge, speechOnly.key), 403, 'missing_scope')).message).toContain('tokens');
    await refusal(await edge.fetch(`/v1/tokens/${minted.id}`, { key: speechOnly.key }), 403, 'missing_scope');
    await refusal(await edge.fetch(`/v1/tokens/${minted.id}`, { method: 'DELETE', key: speechOnly.key }), 403, 'missing_scope');
    expect((await tokenView(edge, owner.key, minted.id)).status).toBe('active');
  });
});

describe("a token's allowed_origins", () => {
  it('refuses a page on another origin with 403 origin_not_allowed; serves its own origin and servers (no Origin)', async () => {
    const { key } = await edge.createKey();
    const token = await mintToken(edge, key, { allowed_origins: ['https://app.example'], scopes: ['speech', 'voices:read'] });
    const evil = await refusal(await speakWith(edge, token.token, {}, { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
    expect(evil.message).toContain('https://evil.example');
    await refusal(await edge.fetch('/v1/voices', { key: token.token, headers: { origin: 'https://evil.example' } }), 403, 'origin_not_allowed');

    for (const headers of [{ origin: 'https://app.example' }, {}] as Array<Record<string, string>>) {
      const response = await speakWith(edge, token.token, {}, headers);
      expect(response.status, JSON.stringify(headers)).toBe(200);
      await response.arrayBuffer();
      expect((await edge.fetch('/v1/voices', { key: token.token, headers })).status).toBe(200);
    }
    // The refusals took nothing: two requests served.
    expect((await tokenView(edge, key, token.id)).requests_used).toBe(2);
  });
});

describe('tokens belong to their account', () => {
  it("another account's key cannot read or revoke a token (404, as for one that never existed), and the token goes on", async () => {
    const alice = await edge.createKey();
    const bob = await edge.createKey();
    const alicesToken = await mintToken(edge, alice.key);
    for (const method of ['GET', 'DELETE']) {
      await refusal(await edge.fetch(`/v1/tokens/${alicesToken.id}`, { method, key: bob.key }), 404, 'token_not_found');
    }
    const view = await tokenView(edge, alice.key, alicesToken.id);
    expect(view).toMatchObject({ status: 'active', revoked_at: null });
    const spoken = await speakWith(edge, alicesToken.token);
    expect(spoken.status).toBe(200);
    await spoken.arrayBuffer();
    // Nor does Bob's usage show Alice's token.
    const usage = (await (await edge.fetch('/v1/usage?group_by=token', { key: bob.key })).json()) as { data: Array<{ token_id: string | null }> };
    expect(usage.data.map((row) => row.token_id)).not.toContain(alicesToken.id);
  });
});
