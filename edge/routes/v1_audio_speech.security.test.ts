import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type EdgeHarness } from '../../test/harness/edge.ts';

// Authentication is checked before anything reaches a worker, so no worker runs here.
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

const speech = (key: string | null, body: unknown = { input: 'Hello.' }) =>
  edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('POST /v1/audio/speech authentication', () => {
  it('answers 401 missing_api_key without a key, with a request id', async () => {
    const response = await speech(null);
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await response.json()).toEqual({
      error: { type: 'authentication_error', code: 'missing_api_key', message: expect.any(String) },
    });
  });

  it('answers 401 invalid_api_key for a wrong key', async () => {
    const response = await speech('tts_not-a-real-key');
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('invalid_api_key');
  });

  it('answers 401 expired_api_key for an expired key', async () => {
    const { key } = await edge.createKey({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const response = await speech(key);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('expired_api_key');
  });

  it('answers 403 missing_scope for a key without the speech scope', async () => {
    const { key } = await edge.createKey({ scopes: ['usage'] });
    const response = await speech(key);
    expect(response.status).toBe(403);
    expect(((await response.json()) as any).error).toMatchObject({ type: 'permission_error', code: 'missing_scope' });
  });

  it('keeps a caller-supplied request id', async () => {
    const response = await edge.fetch('/v1/audio/speech', { method: 'POST', headers: { 'x-request-id': 'client-id-12345' } });
    expect(response.headers.get('x-request-id')).toBe('client-id-12345');
  });

  it('refuses the admin API without the admin token', async () => {
    const response = await edge.fetch('/admin/accounts', { method: 'POST', key: 'wrong', body: '{"name":"x"}' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('invalid_admin_token');
  });
});
