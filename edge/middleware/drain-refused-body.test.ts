import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

/** One keep-alive connection at a time to the edge, counting how many it had to open. */
async function withOneConnection(run: (client: Client) => Promise<void>): Promise<number> {
  const client = new Client(edge.url, { pipelining: 1 });
  let connections = 0;
  client.on('connect', () => connections++);
  try {
    await run(client);
  } finally {
    await client.close();
  }
  return connections;
}

describe('a refusal reads the rest of the request body first (lingering close)', () => {
  it('answers a refused upload and keeps the connection for the next request', async () => {
    const upload = new Uint8Array(512 * 1024);
    const connections = await withOneConnection(async (client) => {
      // No key: refused before the clip is looked at.
      const refused = await client.request({ method: 'POST', path: '/v1/voices', headers: { 'content-type': 'application/octet-stream' }, body: upload });
      expect(refused.statusCode).toBe(401);
      expect(((await refused.body.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
      const next = await client.request({ method: 'POST', path: '/no/such/route', body: upload });
      expect(next.statusCode).toBe(404);
      await next.body.dump();
      const last = await client.request({ method: 'GET', path: '/v1/models' });
      expect(last.statusCode).toBe(401);
      await last.body.dump();
    });
    expect(connections).toBe(1);
  });

});
