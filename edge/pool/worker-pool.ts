import { ApiError } from '../../shared/errors.ts';
import type { ModelInfo } from '../../shared/schemas/catalog.ts';
import { WORKER_PATHS, WorkerCatalogSchema, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { STREAM_LAYOUT } from '../../shared/audio/formats.ts';
import { resumableStream } from '../http/resumable-stream.ts';
import { type SignedInit, signedFetch } from './signed-fetch.ts';

/** A model the pool serves and the workers that serve it. */
export interface PoolModel {
  info: ModelInfo;
  workers: string[];
}

/** How long an isolate trusts the catalog it read from the workers. */
const CATALOG_TTL_MS = 5_000;
const CATALOG_TIMEOUT_MS = 2_000;

interface CachedCatalog {
  models: Map<string, PoolModel>;
  expires: number;
}

// Per isolate: catalogs by pool (the WORKER_URLS value), and a round-robin cursor per model.
const catalogs = new Map<string, Promise<CachedCatalog>>();
const cursors = new Map<string, number>();

export const noWorker = (detail: string) =>
  new ApiError(503, 'service_unavailable', 'no_worker_available', `No speech worker is available: ${detail}`, {
    headers: { 'retry-after': '5' },
  });

export class WorkerPool {
  private readonly urls: string[];
  private readonly secret: string;
  private readonly key: string;

  constructor(workerUrls: string, secret: string) {
    this.key = workerUrls;
    this.urls = workerUrls
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean);
    this.secret = secret;
  }

  /** The models the reachable workers serve, merged by model id. */
  async models(): Promise<Map<string, PoolModel>> {
    const now = Date.now();
    let cached = catalogs.get(this.key);
    if (cached) {
      const settled = await cached.catch(() => undefined);
      if (!settled || settled.expires <= now) cached = undefined;
    }
    if (!cached) {
      cached = this.readCatalogs().then((models) => ({ models, expires: Date.now() + CATALOG_TTL_MS }));
      catalogs.set(this.key, cached);
    }
    const { models } = await cached;
    if (models.size === 0) {
      catalogs.delete(this.key); // try again on the next request rather than caching the outage
      throw noWorker('no worker answered its catalog.');
    }
    return models;
  }

  private async readCatalogs(): Promise<Map<string, PoolModel>> {
    const models = new Map<string, PoolModel>();
    const answers = await Promise.allSettled(
      this.urls.map(async (url) => {
        const response = await signedFetch(this.secret, url, WORKER_PATHS.catalog, {
          method: 'GET',
          signal: AbortSignal.timeout(CATALOG_TIMEOUT_MS),
        });
        if (!response.ok) throw new Error(`catalog answered ${response.status}`);
        return { url, catalog: WorkerCatalogSchema.parse(await response.json()) };
      }),
    );
    for (const answer of answers) {
      if (answer.status !== 'fulfilled') continue;
      for (const info of answer.value.catalog.models) {
        const entry = models.get(info.id) ?? { info, workers: [] };
        entry.workers.push(answer.value.url);
        models.set(info.id, entry);
      }
    }
    return models;
  }

  /**
   * Sends a synthesis request to a worker that serves the model and returns its response with
   * the body unread, for the caller to stream. Should that worker fail mid-stream, the body goes
   * on with the same request on another worker, from the next sample (see resumableStream).
   */
  async synthesize(
    model: PoolModel,
    request: WorkerSynthesisRequest,
    signal: AbortSignal,
    onResume: (resumed: { worker: string; atSample: number }) => void = () => {},
  ): Promise<Response> {
    const send = (body: WorkerSynthesisRequest, avoid: string[]) =>
      this.dispatch(model, WORKER_PATHS.synthesize, { method: 'POST', body: JSON.stringify(body), headers: { 'x-request-id': request.request_id }, signal, avoid });
    const first = await send(request, []);
    if (!first.response.ok || !first.response.body) return first.response;
    const served = [first.worker];
    const body = resumableStream(first.response.body, {
      ...STREAM_LAYOUT[request.response_format],
      resume: async (atSample) => {
        const next = await send({ ...request, resume_at_sample: atSample }, served);
        if (!next.response.ok || !next.response.body) {
          await next.response.body?.cancel();
          return null;
        }
        served.push(next.worker);
        onResume({ worker: next.worker, atSample });
        return next.response.body;
      },
    });
    return new Response(body, { status: first.response.status, headers: first.response.headers });
  }

  /**
   * Sends a request to a worker that serves the model, round-robin, failing over to the next one
   * when a worker cannot be reached or answers 503 (busy or not ready).
   */
  async send(model: PoolModel, path: string, init: SignedInit & { signal: AbortSignal }): Promise<Response> {
    return (await this.dispatch(model, path, init)).response;
  }

  /** `send`, also saying which worker answered; workers in `avoid` are not asked (a resumed stream's dead one). */
  async dispatch(
    model: PoolModel,
    path: string,
    init: SignedInit & { signal: AbortSignal; avoid?: readonly string[] },
  ): Promise<{ response: Response; worker: string }> {
    const { avoid = [], ...request } = init;
    const candidates = model.workers.filter((url) => !avoid.includes(url));
    const start = cursors.get(model.info.id) ?? 0;
    cursors.set(model.info.id, start + 1);
    let lastProblem = candidates.length ? 'no worker serves this model.' : 'no other worker serves this model.';
    for (let i = 0; i < candidates.length; i++) {
      const worker = candidates[(start + i) % candidates.length]!;
      try {
        const response = await signedFetch(this.secret, worker, path, request);
        if (response.status !== 503) return { response, worker };
        lastProblem = 'every worker is busy.';
        await response.body?.cancel();
      } catch (error) {
        if (request.signal.aborted) throw error;
        lastProblem = 'no worker could be reached.';
        catalogs.delete(this.key); // the pool changed; read it again next time
      }
    }
    throw noWorker(lastProblem);
  }
}
