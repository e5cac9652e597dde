import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

// CORS is for the public API only: the admin API, the workers' heartbeat route and the API
// reference give a page on another origin nothing to read, and their OPTIONS is no preflight.
const PAGE = 'https://app.example.com';

let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused-worker-secret' });
});
afterAll(() => edge?.dispose());

const corsHeaders = (response: Response) => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('routes outside /v1 carry no CORS headers', () => {
  it.each([
    ['GET', '/admin/accounts/acct_0'],
    ['POST', '/admin/accounts'],
    ['GET', '/admin/pool'],
    ['POST', '/internal/pool/heartbeat'],
    ['GET', '/docs'],
  ])('%s %s, with a key or without', async (method, path) => {
    const response = await edge.fetch(path, { method, key: edge.adminToken, headers: { origin: PAGE } });
    expect(corsHeaders(response)).toEqual([]);
    await response.arrayBuffer();
  });

  it.each(['/admin/accounts', '/admin/pool', '/internal/pool/heartbeat', '/docs'])('OPTIONS %s is not answered as a preflight', async (path) => {
    const response = await edge.fetch(path, {
      method: 'OPTIONS',
      headers: { origin: PAGE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.status).toBe(404);
    expect(corsHeaders(response)).toEqual([]);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });
});
