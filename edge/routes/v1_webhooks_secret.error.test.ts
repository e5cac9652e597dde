import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '../../test/harness/client-tokens.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

// The webhook secret's routes refused: no key, a key that is not one, expired, without the scope.
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

const ROUTES = [
  ['GET', '/v1/webhooks/secret'],
  ['POST', '/v1/webhooks/secret/rotate'],
] as const;

describe.each(ROUTES)('%s %s', (method, path) => {
  it('is 401 missing_api_key without a key, with WWW-Authenticate', async () => {
    const response = await edge.fetch(path, { method });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    await refusal(response, 401, 'missing_api_key');
  });

  it('is 401 invalid_api_key for a key that is none', async () => {
    await refusal(await edge.fetch(path, { method, key: 'tts_not_a_real_key_0123456789' }), 401, 'invalid_api_key');
  });

  it('is 401 expired_api_key for an expired key', async () => {
    const { key } = await edge.createKey({ expires_at: new Date(Date.now() - 1_000).toISOString() });
    await refusal(await edge.fetch(path, { method, key }), 401, 'expired_api_key');
  });

  it('is 403 missing_scope for a key without `speech`', async () => {
    const { key } = await edge.createKey({ scopes: ['usage', 'voices', 'tokens'] });
    const error = await refusal(await edge.fetch(path, { method, key }), 403, 'missing_scope');
    expect(error.message).toBe('The API key lacks the "speech" scope.');
  });
});

it('the other method on each path is 404', async () => {
  const { key } = await edge.createKey();
  expect((await edge.fetch('/v1/webhooks/secret', { method: 'POST', key })).status).toBe(404);
  expect((await edge.fetch('/v1/webhooks/secret/rotate', { method: 'GET', key })).status).toBe(404);
});
