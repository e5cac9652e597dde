import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { POOL_PATHS, type WorkerHeartbeat, WorkerHeartbeatSchema } from '../../shared/protocol/pool.ts';
import { ReplayGuard, verifyRequest, type VerifyResult } from '../../shared/protocol/signing.ts';
import { readBody } from '../http/io.ts';

export interface ReceivedBeat {
  verdict: VerifyResult;
  /** Present when the body is a valid heartbeat. */
  heartbeat?: WorkerHeartbeat;
}

export interface FakeEdge {
  url: string;
  /** Every heartbeat request, in order of arrival. */
  received: ReceivedBeat[];
  /** The heartbeats the edge would accept. */
  accepted(): WorkerHeartbeat[];
  /** The status to answer a valid heartbeat with (204); set it to play a failing edge. */
  status: number;
  close(): Promise<void>;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

/**
 * For tests: stands in for the edge's heartbeat route, checking each beat as the edge does (the
 * signature with the shared secret, then the schema).
 */
/** `onPort`: 0 for any free port, or a port to come back on after a close. */
export async function startFakeEdge(secret: string, onPort = 0): Promise<FakeEdge> {
  const replay = new ReplayGuard();
  const received: ReceivedBeat[] = [];
  const edge = { status: 204 };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req, 1024 * 1024);
      const verdict = await verifyRequest(secret, { method: req.method ?? 'GET', path: req.url ?? '/', body, headers: req.headers as Record<string, string | undefined> }, replay);
      const parsed = WorkerHeartbeatSchema.safeParse(parseJson(body));
      received.push({ verdict, ...(parsed.success ? { heartbeat: parsed.data } : {}) });
      const status = req.url !== POOL_PATHS.heartbeat ? 404 : !verdict.ok ? 401 : !parsed.success ? 400 : edge.status;
      res.writeHead(status).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(onPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(edge, {
    url: `http://127.0.0.1:${port}`,
    received,
    accepted: () => received.flatMap((beat) => (beat.verdict.ok && beat.heartbeat ? [beat.heartbeat] : [])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
