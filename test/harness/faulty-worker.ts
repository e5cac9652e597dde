import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Heartbeats } from '../../gpu-worker/pool/heartbeat.ts';
import { WORKER_PATHS, type WorkerCatalog } from '../../shared/protocol/worker-api.ts';
import { signedWorkerFetch } from '../worker-client.ts';

/** How the stand-in answers synthesis: stalls, fails, or passes the request to a real worker. */
export type FaultMode = 'stall' | 'error' | 'healthy';

/**
 * A worker that misbehaves on demand, for the edge's failover and circuit breaker: it joins the
 * pool by heartbeat like a real worker, serving a real worker's models, and answers synthesis by
 * stalling (no answer at all), failing (500), or, when healthy, relaying the signed request to
 * the real worker unchanged (a signature covers the path and body, not the host). A stand-in
 * because the faults are the point: a real worker does not stall or fail on cue.
 */
export interface FaultyWorker {
  url: string;
  mode: FaultMode;
  /** Synthesis requests it received. */
  requests: number;
  stop(): Promise<void>;
}

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
};

export async function startFaultyWorker(options: { edgeUrl: string; secret: string; realWorker: string; heartbeatMs: number }): Promise<FaultyWorker> {
  const catalog = (await (await signedWorkerFetch(options.realWorker, options.secret, WORKER_PATHS.catalog)).response.json()) as WorkerCatalog;
  const stalled: Array<() => void> = [];
  const worker: FaultyWorker = { url: '', mode: 'stall', requests: 0, stop: async () => {} };

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.url !== WORKER_PATHS.synthesize) return void res.writeHead(404).end();
    worker.requests++;
    if (worker.mode === 'stall') return void stalled.push(() => res.destroy());
    if (worker.mode === 'error') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"type":"internal_error","code":"boom","message":"boom"}}');
    // As a proxy does: the framing headers are fetch's to set for the body it sends. Copied, they
    // made this fetch fail with "invalid content-length header" once the test process loaded
    // another set of modules (test/clips.ts stopped importing node:http); why, not known.
    const { host: _host, connection: _connection, 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = req.headers;
    const upstream = await fetch(options.realWorker + req.url, { method: 'POST', headers: headers as Record<string, string>, body });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  worker.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // It joins the pool exactly as a real worker does.
  const heartbeats = new Heartbeats({
    edgeUrl: options.edgeUrl,
    secret: options.secret,
    intervalMs: options.heartbeatMs,
    log: () => {},
    member: { worker_id: `faulty-${(server.address() as AddressInfo).port}`, url: worker.url, version: 'test', models: catalog.models, capacity: 16 },
    load: () => ({ active: 0, queued: 0, ttfa_ms: null }),
    draining: () => false,
  });
  heartbeats.start();
  worker.stop = async () => {
    await heartbeats.leave();
    for (const release of stalled) release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return worker;
}
