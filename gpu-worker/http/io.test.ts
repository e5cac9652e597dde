import { createServer, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { clientGoneSignal } from './io.ts';

/** A real server whose one request is handed to `handle` after its client's connection closed, or while it is open. */
async function withRequest(clientCloses: 'before' | 'after', check: (signal: AbortSignal, res: ServerResponse) => Promise<void>) {
  let result: Promise<void> | undefined;
  const server = createServer(async (req, res) => {
    req.resume();
    await once(req, 'end');
    if (clientCloses === 'before') await once(req.socket, 'close'); // the close happens while nobody listens
    result = check(clientGoneSignal(res), res);
    if (clientCloses === 'after') client.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  client.write('POST / HTTP/1.1\r\nHost: worker\r\nContent-Length: 2\r\n\r\nhi');
  if (clientCloses === 'before') client.destroy();
  await expect.poll(() => result !== undefined).toBe(true);
  await result;
  server.close();
}

describe('clientGoneSignal', () => {
  it('is aborted at once for a client that left before the handler asked (its close went unheard)', async () => {
    await withRequest('before', async (signal) => {
      expect(signal.aborted).toBe(true);
    });
  });

  it('aborts when the client leaves while the response is being made', async () => {
    await withRequest('after', async (signal) => {
      expect(signal.aborted).toBe(false);
      await once(signal, 'abort');
      expect(signal.aborted).toBe(true);
    });
  });

  it('is not aborted by a response that finished', async () => {
    let abortedAfterClose: (aborted: boolean) => void;
    const finished = new Promise<boolean>((resolve) => (abortedAfterClose = resolve));
    const server = createServer((_req, res) => {
      const signal = clientGoneSignal(res);
      res.end('done', () => {
        res.socket?.destroy();
        res.on('close', () => abortedAfterClose(signal.aborted));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    await (await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`)).text();
    expect(await finished).toBe(false);
    server.close();
  });
});
