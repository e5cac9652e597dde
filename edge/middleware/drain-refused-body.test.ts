import { connect } from 'node:net';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countedUpload } from '../../test/early-response.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { MAX_DRAINED_BYTES, SLOWEST_DRAINED_BYTES_PER_SECOND } from './drain-refused-body.ts';

let edge: EdgeHarness;
let key: string;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
  ({ key } = await edge.createKey());
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

/**
 * Sends a POST's head and the first bytes of its body over a socket, then nothing more, and
 * reads what the edge answers until it closes the connection.
 */
function postAndStall(path: string, headers: Record<string, string>, start: Uint8Array): Promise<{ head: string; body: string; ms: number }> {
  const { hostname, port } = new URL(edge.url);
  const head = [`POST ${path} HTTP/1.1`, `host: ${hostname}:${port}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.concat([Buffer.from(head), start])));
    const received: Buffer[] = [];
    socket.on('data', (data) => received.push(data));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = Buffer.concat(received).toString('utf8').split('\r\n\r\n');
      resolve({ head, body, ms: performance.now() - started });
    });
  });
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

  // Just under the bound: 20 MB, where a limit refuses a body after 64 KiB or 10 MB of it. Far
  // more than the kernel's socket buffers hold: an edge that answered early would answer fetch
  // with the upload still going, then reset the connection under it.
  const nearlyTheBound = MAX_DRAINED_BYTES - 64 * 1024;
  it.each([
    ['a clip upload without a key', '/v1/voices', false, 401, 'missing_api_key'],
    ['a clip over its limit', '/v1/voices', true, 413, 'file_too_large'],
    ['a speech request over its limit', '/v1/audio/speech', true, 413, 'body_too_large'],
    ['a body to no route', '/no/such/route', false, 404, 'route_not_found'],
  ] as const)('fetch sending all of %s (%s, 20 MB, declared or streamed) reads the refusal after the upload', async (_, path, withKey, status, code) => {
    for (const framing of ['declared', 'streamed'] as const) {
      const upload = countedUpload(nearlyTheBound);
      const headers: Record<string, string> = {
        'content-type': 'multipart/form-data; boundary=x',
        ...(withKey ? { authorization: `Bearer ${key}` } : {}),
        ...(framing === 'declared' ? { 'content-length': String(nearlyTheBound) } : {}),
      };
      const response = await fetch(edge.url + path, { method: 'POST', headers, body: upload.body, duplex: 'half' } as RequestInit);
      expect(upload.taken(), `${framing}: all sent before the answer`).toBe(nearlyTheBound);
      expect(response.status, framing).toBe(status);
      expect(await response.json(), framing).toMatchObject({ error: { code } });
    }
  });

  it('a client that stops sending is answered once its time is up (at least a second)', async () => {
    const { head, body, ms } = await postAndStall('/v1/voices', { 'content-type': 'application/octet-stream', 'content-length': '100000' }, new Uint8Array(1000));
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'missing_api_key' } });
    expect(ms).toBeGreaterThanOrEqual(1000);
  });

  it('a body declared over the bound is refused at once, unread: the client is not kept waiting for it', async () => {
    const headers = { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(MAX_DRAINED_BYTES + 1) };
    const { head, body, ms } = await postAndStall('/v1/voices', headers, new Uint8Array(0));
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'missing_api_key' } });
    // A drain would have waited this long for the body the client never sends.
    expect(ms).toBeLessThan((1000 * MAX_DRAINED_BYTES) / SLOWEST_DRAINED_BYTES_PER_SECOND);
  });
});
