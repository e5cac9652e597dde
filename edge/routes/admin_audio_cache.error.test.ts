import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

describe('GET /admin/audio-cache refuses', () => {
  it('an unknown account is 404; without the admin token, 401', async () => {
    const unknown = await edge.admin('GET', '/admin/audio-cache?account=acct_nope');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('account_not_found');
    expect((await edge.fetch('/admin/audio-cache')).status).toBe(401);
  });
});
