import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPack } from '../../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import {
  accountCredits,
  forgedToken,
  ledgerRowsOfToken,
  mintResponse,
  mintToken,
  refusal,
  speakWith,
  tokenView,
} from '../../test/harness/client-tokens.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { startStack } from '../../test/harness/stack.ts';

// Client tokens refused, capped and ended, against a real worker (espeak and a generated tiny
// Qwen3-TTS pack: two served models, so a token bound to one can be refused the other) and the
// edge's real KV, D1 and account objects.
let packDir: string;
let tinyModel: string;
let worker: GpuWorkerHarness;
let edge: EdgeHarness;

beforeAll(async () => {
  packDir = await mkdtemp(join(tmpdir(), 'tokens-pack-'));
  tinyModel = (await writeTinyPack(packDir)).id;
  worker = await startGpuWorker({ args: ['--pack', packDir] });
  edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
  if (packDir) await rm(packDir, { recursive: true, force: true });
});

/** A fresh account with a key (every scope) and a second key to look at its tokens with. */
async function account(credits = 100_000) {
  const { id } = await edge.createAccount({ credits });
  const [key, other] = await Promise.all([edge.createKey({ account: id }), edge.createKey({ account: id })]);
  return { accountId: id, key: key.key, keyId: key.id, otherKey: other.key };
}

describe('a max_characters cap holds exactly under concurrency', () => {
  it('20 requests of 30 characters at once against max_characters 100: 3 served and charged 90, 17 refused 402 token_exhausted', async () => {
    const { accountId, key } = await account(10_000);
    const token = await mintToken(edge, key, { max_characters: 100 });
    const input = 'Exactly thirty characters now.';
    expect([...input].length).toBe(30);
    const before = await accountCredits(edge, accountId);

    // Each request reads its whole answer, so a served one settles complete (charged its characters).
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const response = await speakWith(edge, token.token, { input });
        const requestId = response.headers.get('x-request-id')!;
        const remaining = response.headers.get('x-token-remaining-characters');
        if (response.status !== 200) return { status: response.status, requestId, remaining, error: ((await response.json()) as { error: Record<string, string> }).error };
        return { status: 200, requestId, remaining, bytes: (await response.arrayBuffer()).byteLength };
      }),
    );

    const served = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(served).toHaveLength(3);
    for (const answer of served) expect(answer.bytes).toBeGreaterThan(1_000);
    // Admitted one after another by the account's object: each saw the reservations before it.
    expect(served.map((answer) => answer.remaining).sort()).toEqual(['10', '40', '70']);
    expect(refused).toHaveLength(17);
    for (const answer of refused) {
      expect(answer.status).toBe(402);
      expect(answer.error).toMatchObject({ code: 'token_exhausted', type: 'insufficient_credits', param: 'input' });
      expect(answer.remaining).toBe('10');
    }

    // Charged to the parent account: the ledger has exactly the three served requests, 30 each.
    const rows = await ledgerRowsOfToken(edge, token.id, 3);
    expect(rows.map((row) => row.request_id).sort()).toEqual(served.map((answer) => answer.requestId).sort());
    expect(rows.reduce((sum, row) => sum + row.credits_charged, 0)).toBe(90);
    // Settlement comes before the ledger row; the balance is read once nothing is held.
    await expect.poll(async () => (await accountCredits(edge, accountId)).reserved).toBe(0);
    expect((await accountCredits(edge, accountId)).balance).toBe(before.balance - 90);

    expect(await tokenView(edge, key, token.id)).toMatchObject({
      status: 'active',
      characters_used: 90,
      characters_reserved: 0,
      characters_remaining: 10,
      requests_used: 3,
    });
  });
});

describe('a token bound to voices or models', () => {
  it('speaks with its own voice, and gets 403 token_scope (param voice) for another, the model\'s default included', async () => {
    const { key } = await account();
    const models = (await (await edge.fetch('/v1/models', { key })).json()) as { data: Array<{ id: string; default_voice: string }> };
    const defaultVoice = models.data.find((model) => model.id === 'espeak')!.default_voice;
    const voices = (await (await edge.fetch('/v1/voices?model=espeak', { key })).json()) as { data: Array<{ id: string }> };
    // Its own voice is a preset other than the default, so that a request naming none is refused too.
    const own = voices.data.map((voice) => voice.id).find((id) => id !== defaultVoice)!;
    expect(own, 'espeak has a preset besides its default').toBeTruthy();
    const token = await mintToken(edge, key, { voices: [own] });
    expect(token.voices).toEqual([own]);

    const error = await refusal(await speakWith(edge, token.token, { voice: defaultVoice }), 403, 'token_scope');
    expect(error).toMatchObject({ type: 'permission_error', param: 'voice' });
    expect(error.message).toContain(defaultVoice);
    expect((await refusal(await speakWith(edge, token.token), 403, 'token_scope')).param).toBe('voice');

    const spoken = await speakWith(edge, token.token, { voice: own });
    expect(spoken.status).toBe(200);
    expect((await spoken.arrayBuffer()).byteLength).toBeGreaterThan(1_000);
    // The refusals took nothing from it; the one served request did.
    expect(await tokenView(edge, key, token.id)).toMatchObject({ requests_used: 1 });
  });

  it('speaks with its own model, and gets 403 token_scope (param model) for another the pool serves', async () => {
    const { key } = await account();
    const models = (await (await edge.fetch('/v1/models', { key })).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining(['espeak', tinyModel]));
    const token = await mintToken(edge, key, { models: ['espeak'] });
    expect(token.models).toEqual(['espeak']);

    const error = await refusal(await speakWith(edge, token.token, { model: tinyModel, voice: 'alloy' }), 403, 'token_scope');
    expect(error).toMatchObject({ type: 'permission_error', param: 'model' });
    expect(error.message).toContain(tinyModel);
    const spoken = await speakWith(edge, token.token, { model: 'espeak' });
    expect(spoken.status).toBe(200);
    await spoken.arrayBuffer();
  });
});

describe('single_use', () => {
  it('serves exactly one request; the second gets 402 token_exhausted', async () => {
    const { key } = await account();
    const token = await mintToken(edge, key, { single_use: true });
    expect(token).toMatchObject({ single_use: true, requests_remaining: 1 });
    const first = await speakWith(edge, token.token);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-token-remaining-requests')).toBe('0');
    await first.arrayBuffer();

    const second = await refusal(await speakWith(edge, token.token), 402, 'token_exhausted');
    expect(second.type).toBe('insufficient_credits');
    expect(await tokenView(edge, key, token.id)).toMatchObject({ status: 'exhausted', requests_used: 1, requests_remaining: 0 });
  });

  it('a request admitted and then failed before any audio gives the request back', async () => {
    // A worker with room for one stream and no queue: while a key's long stream holds it, the
    // token's request is admitted (taking its one request) and then finds no worker (503).
    const busy = await startStack({ workerEnv: { MAX_STREAMS: '1', MAX_QUEUED: '0' } });
    try {
      const token = await mintToken(busy.edge, busy.key, { single_use: true });
      const long = await speakWith(busy.edge, busy.key, { input: 'This sentence keeps the only stream of the worker busy. '.repeat(40) });
      expect(long.status).toBe(200);
      const reader = long.body!.getReader();
      await reader.read(); // the worker streams it now
      const stats = async () => (await (await fetch(`${busy.worker.url}/readyz`)).json()) as { active: number };
      expect((await stats()).active).toBe(1);

      const failed = await refusal(await speakWith(busy.edge, token.token), 503, 'no_worker_available');
      expect(failed.message).toContain('busy');
      // The reservation is released before the answer goes out: the token has its request again.
      expect(await tokenView(busy.edge, busy.key, token.id)).toMatchObject({ status: 'active', requests_used: 0, requests_remaining: 1, characters_reserved: 0 });

      await reader.cancel();
      await expect.poll(async () => (await stats()).active, { timeout: 15_000 }).toBe(0);
      const served = await speakWith(busy.edge, token.token);
      expect(served.status).toBe(200);
      await served.arrayBuffer();
      await refusal(await speakWith(busy.edge, token.token), 402, 'token_exhausted');
    } finally {
      await busy.stop();
    }
  });
});

describe('revoked keys and expired tokens', () => {
  it("a token of a key revoked through the admin API gets 401 invalid_token on its next request, and shows revoked", async () => {
    const { key, keyId, otherKey } = await account();
    const token = await mintToken(edge, key);
    const before = await speakWith(edge, token.token);
    expect(before.status).toBe(200);
    await before.arrayBuffer();

    expect((await edge.admin('DELETE', `/admin/keys/${keyId}`)).status).toBe(200);
    const response = await speakWith(edge, token.token);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const error = await refusal(response, 401, 'invalid_token');
    expect(error.type).toBe('authentication_error');
    const shown = await tokenView(edge, otherKey, token.id);
    expect(shown.status).toBe('revoked');
    expect(shown.revoked_at).not.toBeNull();
  });

  it('a token past its expires_at gets 401 token_expired, and shows expired', async () => {
    const { key } = await account();
    const token = await mintToken(edge, key, { ttl_seconds: 1, scopes: ['speech', 'voices:read'] });
    expect(Date.parse(token.expires_at) - Date.parse(token.created_at)).toBe(1_000);
    const expiresAt = Date.parse(token.expires_at);
    await expect.poll(() => Date.now() > expiresAt, { timeout: 5_000, interval: 20 }).toBe(true);

    const response = await speakWith(edge, token.token);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    await refusal(response, 401, 'token_expired');
    await refusal(await edge.fetch('/v1/voices', { key: token.token }), 401, 'token_expired');
    expect(await tokenView(edge, key, token.id)).toMatchObject({ status: 'expired', revoked_at: null, requests_used: 0 });
  });
});

describe('scopes', () => {
  it('a token without voices:read gets 403 token_scope on GET /v1/voices and GET /v1/models', async () => {
    const { key } = await account();
    const token = await mintToken(edge, key); // speech and realtime
    expect(token.scopes).toEqual(['speech', 'realtime']);
    for (const path of ['/v1/voices', '/v1/models', '/v1/voices/en-female']) {
      const error = await refusal(await edge.fetch(path, { key: token.token }), 403, 'token_scope');
      expect(error.message, path).toContain('voices:read');
    }
  });

  it('a token with only voices:read gets 403 token_scope on speech, and may list voices', async () => {
    const { key } = await account();
    const token = await mintToken(edge, key, { scopes: ['voices:read'] });
    for (const path of ['/v1/audio/speech', '/v1/audio/speech/with-timestamps']) {
      const response = await edge.fetch(path, { method: 'POST', key: token.token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'No.' }) });
      expect((await refusal(response, 403, 'token_scope')).message, path).toContain('speech');
    }
    expect((await edge.fetch('/v1/voices', { key: token.token })).status).toBe(200);
    // Refused requests take nothing from it.
    expect(await tokenView(edge, key, token.id)).toMatchObject({ requests_used: 0, characters_used: 0, characters_reserved: 0 });
  });
});

describe('POST /v1/tokens refuses what it cannot mint', () => {
  it('ttl_seconds outside 1..86400: 400 invalid_parameter', async () => {
    const { key } = await account();
    for (const ttl of [0, 86_401, -5, 1.5]) {
      const error = await refusal(await mintResponse(edge, key, { ttl_seconds: ttl }), 400, 'invalid_parameter');
      expect(error.param, String(ttl)).toBe('ttl_seconds');
    }
    expect((await mintToken(edge, key, { ttl_seconds: 86_400 })).status).toBe('active');
  });

  it('an unknown field, a scope that does not exist, or a body that is not JSON: 400', async () => {
    const { key } = await account();
    expect((await refusal(await mintResponse(edge, key, { ttl: 60 }), 400, 'invalid_parameter')).message).toContain('ttl');
    expect((await refusal(await mintResponse(edge, key, { scopes: ['admin'] }), 400, 'invalid_parameter')).param).toBe('scopes.0');
    const notJson = await edge.fetch('/v1/tokens', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: '{"ttl_seconds":' });
    await refusal(notJson, 400, 'invalid_json');
  });

  it('a scope its key does not have: 403 token_scope', async () => {
    const { key } = await edge.createKey({ scopes: ['voices', 'tokens'] });
    const error = await refusal(await mintResponse(edge, key, { scopes: ['speech'] }), 403, 'token_scope');
    expect(error.param).toBe('scopes');
    await refusal(await mintResponse(edge, key, { scopes: ['realtime'] }), 403, 'token_scope');
    // Its defaults (speech and realtime) are both beyond such a key.
    await refusal(await mintResponse(edge, key), 403, 'token_scope');
    // voices:read it may give.
    expect((await mintToken(edge, key, { scopes: ['voices:read'] })).scopes).toEqual(['voices:read']);
  });

  it("allowed_origins outside its key's: 400 invalid_parameter", async () => {
    const { key } = await edge.createKey({ allowed_origins: ['https://app.example'] });
    const error = await refusal(await mintResponse(edge, key, { allowed_origins: ['https://app.example', 'https://other.example'] }), 400, 'invalid_parameter');
    expect(error).toMatchObject({ param: 'allowed_origins' });
    expect(error.message).toContain('https://other.example');
    expect((await mintToken(edge, key)).allowed_origins).toEqual(['https://app.example']);
    const notAnOrigin = await mintResponse(edge, key, { allowed_origins: ['https://app.example/path'] });
    expect(notAnOrigin.status).toBe(400);
  });

  it('voices and models it cannot speak with: 404 voice_not_found or model_not_found, param voices or models', async () => {
    const { key } = await account();
    const unknownOwn = await refusal(await mintResponse(edge, key, { voices: ['voice_0123456789abcdef'] }), 404, 'voice_not_found');
    expect(unknownOwn.message).toContain('voice_0123456789abcdef');
    expect((await refusal(await mintResponse(edge, key, { voices: ['nobody'] }), 404, 'voice_not_found')).param).toBe('voices');
    const unknownModel = await refusal(await mintResponse(edge, key, { models: ['no-such-model'] }), 404, 'model_not_found');
    expect(unknownModel.param).toBe('models');
  });

  it('single_use with max_requests 5: 400 invalid_parameter', async () => {
    const { key } = await account();
    const error = await refusal(await mintResponse(edge, key, { single_use: true, max_requests: 5 }), 400, 'invalid_parameter');
    expect(error.param).toBe('max_requests');
    expect((await mintToken(edge, key, { single_use: true, max_requests: 1 })).requests_remaining).toBe(1);
  });
});

describe('GET and DELETE /v1/tokens/{id}', () => {
  it("an unknown id, a malformed one, or another account's token: 404 token_not_found", async () => {
    const mine = await account();
    const theirs = await account();
    const theirToken = await mintToken(edge, theirs.key);
    for (const id of ['tok_000000000000000000000000', 'not-a-token-id', theirToken.id]) {
      for (const method of ['GET', 'DELETE']) {
        const error = await refusal(await edge.fetch(`/v1/tokens/${id}`, { method, key: mine.key }), 404, 'token_not_found');
        expect(error.message, `${method} ${id}`).toContain(id);
      }
    }
    // The DELETE through the other account's key changed nothing.
    expect((await tokenView(edge, theirs.key, theirToken.id)).status).toBe('active');
    const spoken = await speakWith(edge, theirToken.token);
    expect(spoken.status).toBe(200);
    await spoken.arrayBuffer();
  });
});

describe('tokens no one minted', () => {
  it('401 invalid_token, with WWW-Authenticate and a request id: garbage, an unknown account, an unknown secret', async () => {
    const { accountId } = await account();
    const unknownAccount = `acct_${crypto.randomUUID().replaceAll('-', '')}`;
    for (const token of ['tkn_garbage', 'tkn_', forgedToken(unknownAccount), forgedToken(accountId)]) {
      for (const call of [() => speakWith(edge, token), () => edge.fetch('/v1/models', { key: token }), () => edge.fetch('/v1/voices', { key: token })]) {
        const response = await call();
        expect(response.headers.get('www-authenticate'), token).toBe('Bearer');
        const error = await refusal(response, 401, 'invalid_token');
        if (token.length > 'tkn_'.length) expect(error.message).not.toContain(token.slice('tkn_'.length));
      }
    }
  });
});
