import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { POOL_PATHS, type WorkerHeartbeatInput } from '../../shared/protocol/pool.ts';
import { signRequest } from '../../shared/protocol/signing.ts';
import { WORKER_PATHS, type WorkerCatalog } from '../../shared/protocol/worker-api.ts';

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
  const catalog = (await (await fetchSigned(options.secret, options.realWorker, WORKER_PATHS.catalog)).json()) as WorkerCatalog;
  const stalled: Array<() => void> = [];
  const worker: FaultyWorker = { url: '', mode: 'stall', requests: 0, stop: async () => {} };

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.url !== WORKER_PATHS.synthesize) return void res.writeHead(404).end();
    worker.requests++;
    if (worker.mode === 'stall') return void stalled.push(() => res.destroy());
    if (worker.mode === 'error') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"type":"internal_error","code":"boom","message":"boom"}}');
    const upstream = await fetch(options.realWorker + req.url, { method: 'POST', headers: req.headers as Record<string, string>, body });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  worker.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const heartbeat = async (leaving = false) => {
    const beat: WorkerHeartbeatInput = {
      worker_id: `faulty-${(server.address() as AddressInfo).port}`,
      url: worker.url,
      version: 'test',
      models: catalog.models,
      capacity: 16,
      load: { active: 0, queued: 0, ttfa_ms: null },
      draining: false,
      leaving,
      interval_ms: options.heartbeatMs,
    };
    const body = new TextEncoder().encode(JSON.stringify(beat));
    const headers = await signRequest(options.secret, { method: 'POST', path: POOL_PATHS.heartbeat, body });
    await fetch(options.edgeUrl + POOL_PATHS.heartbeat, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }).catch(() => {});
  };
  await heartbeat();
  const timer = setInterval(() => void heartbeat(), options.heartbeatMs);
  worker.stop = async () => {
    clearInterval(timer);
    await heartbeat(true);
    for (const release of stalled) release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return worker;
}

async function fetchSigned(secret: string, base: string, path: string) {
  return fetch(base + path, { headers: await signRequest(secret, { method: 'GET', path }) });
}
