import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiError } from '../shared/errors.ts';
import { ReplayGuard, verifyRequest } from '../shared/protocol/signing.ts';
import { MAX_CLIP_BYTES, WORKER_PATHS, type WorkerCatalog } from '../shared/protocol/worker-api.ts';
import type { Engine } from './engines/types.ts';
import { readBody, sendError, sendJson } from './http/io.ts';
import type { Logger } from './log.ts';
import type { WorkerMetrics } from './metrics/registry.ts';
import type { RecentMedian } from './pool/recent-median.ts';
import type { Scheduler } from './scheduler.ts';
import { handleSynthesize, type SynthesizeDeps } from './synthesis/handler.ts';
import { handleCloneVoice, handleDesignVoice } from './voices.ts';

export interface WorkerServerOptions {
  workerId: string;
  /** HMAC secret shared with the edge. */
  secret: string;
  scheduler: Scheduler;
  log: Logger;
  /** Where synthesis records its times to first audio. */
  firstAudio: RecentMedian;
  metrics: WorkerMetrics;
  /** True once the worker is stopping: it takes no new work, and finishes what it has. */
  isDraining(): boolean;
}

const MAX_BODY_BYTES = 256 * 1024;
/** A clone request's body is the clip itself. */
const bodyLimit = (path: string) => (path === WORKER_PATHS.cloneVoice ? MAX_CLIP_BYTES + 1024 : MAX_BODY_BYTES);

/** A 503 before any byte: the edge tries another worker. */
/**
 * A request-target as a URL. One that starts with `//` would parse as a host (`//x/healthz` as
 * `/healthz` on host x, `//%` not at all): it is no path of this server, so it is answered 404.
 */
function urlOf(target: string): URL {
  const url = target.startsWith('/') && !target.startsWith('//') ? URL.parse(target, 'http://worker') : null;
  if (!url) throw new ApiError(404, 'not_found_error', 'route_not_found', 'No route for that request-target.');
  return url;
}

const unavailable = (code: string, message: string) =>
  new ApiError(503, 'service_unavailable', code, message, { headers: { 'retry-after': '1' } });

/**
 * The worker's HTTP surface: open probes and metrics, and signed routes for the edge. A request
 * without a valid, fresh, unused signature is refused before its body is even parsed. It listens
 * while the engines load (liveness holds, readiness says not yet); `serve` hands them over.
 */
export function createWorkerServer(options: WorkerServerOptions): { server: Server; serve(engines: Engine[]): void } {
  const replay = new ReplayGuard();
  // Set by `serve`, once the engines have loaded.
  let served: { deps: SynthesizeDeps; catalog: WorkerCatalog } | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = urlOf(req.url ?? '/');
    const path = url.pathname;
    if (req.method === 'GET' && path === WORKER_PATHS.healthz) return sendJson(res, 200, { status: 'ok' });
    if (req.method === 'GET' && path === WORKER_PATHS.readyz) {
      const status = options.isDraining() ? 'draining' : served ? 'ready' : 'not_ready';
      return sendJson(res, status === 'ready' ? 200 : 503, { status, ...options.scheduler.stats });
    }
    // Unsigned, as Prometheus scrapes without the edge's HMAC: it reveals load and timings, no request's content.
    if (req.method === 'GET' && path === '/metrics') {
      const text = await options.metrics.register.metrics();
      res.writeHead(200, { 'content-type': options.metrics.register.contentType });
      return void res.end(text);
    }

    const body = await readBody(req, bodyLimit(path));
    const verdict = await verifyRequest(
      options.secret,
      { method: req.method ?? 'GET', path: req.url ?? '/', body, headers: req.headers as Record<string, string | undefined> },
      replay,
    );
    if (!verdict.ok) {
      options.log('warn', 'refused unsigned request', { path, reason: verdict.reason, remote: req.socket.remoteAddress });
      throw new ApiError(401, 'authentication_error', 'invalid_signature', `Request refused: ${verdict.reason}.`);
    }
    if (!served) throw unavailable('worker_not_ready', 'The worker is starting or stopping.');
    const { deps, catalog } = served;
    // The catalog costs nothing, so a draining worker still answers it.
    if (options.isDraining() && path !== WORKER_PATHS.catalog) throw unavailable('worker_draining', 'The worker is shutting down: it takes no new requests.');

    if (req.method === 'GET' && path === WORKER_PATHS.catalog) return sendJson(res, 200, catalog);
    if (req.method === 'POST' && path === WORKER_PATHS.synthesize) {
      return handleSynthesize(req, res, body, deps);
    }
    if (req.method === 'POST' && path === WORKER_PATHS.cloneVoice) return handleCloneVoice(res, body, url.searchParams, deps);
    if (req.method === 'POST' && path === WORKER_PATHS.designVoice) return handleDesignVoice(res, body, deps);
    throw new ApiError(404, 'not_found_error', 'route_not_found', `No route for ${req.method} ${path}.`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy(error as Error);
      if (error instanceof ApiError) return sendError(res, error);
      options.log('error', 'request failed', { error: String(error) });
      sendError(res, new ApiError(500, 'internal_error', 'internal_error', 'An internal error occurred.'));
    });
  });
  return {
    server,
    serve(engines) {
      const { scheduler, log, firstAudio, metrics } = options;
      served = {
        deps: { engines: new Map(engines.map((engine) => [engine.info.id, engine])), scheduler, log, firstAudio, metrics },
        catalog: { worker_id: options.workerId, models: engines.map((engine) => engine.info) },
      };
    },
  };
}
