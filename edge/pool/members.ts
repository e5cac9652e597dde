import type { WorkerLoad } from '../../shared/protocol/pool.ts';
import { WORKER_PATHS, WorkerCatalogSchema } from '../../shared/protocol/worker-api.ts';
import type { ModelInfo } from '../../shared/schemas/catalog.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { SharedLoad } from './shared-load.ts';
import { signedFetch } from './signed-fetch.ts';
import { refusedSignature, workerAuth } from './worker-auth.ts';

/** A worker the edge may route to: registered by its heartbeats, or a seed of WORKER_URLS. */
export interface PoolMember {
  url: string;
  /** Null for a seed that refused the edge's signature before telling its id. */
  worker_id: string | null;
  source: 'registered' | 'seed';
  models: ModelInfo[];
  /** Streams it serves at once (a seed's is assumed: a worker's default). */
  capacity: number;
  /** As of its last heartbeat (a seed reports none). */
  load: WorkerLoad;
  draining: boolean;
  version: string | null;
  last_heartbeat_ms: number | null;
}

/** How long an isolate trusts its copy of the pool: one Durable Object call a second at most. */
const MEMBERS_TTL_MS = 1_000;
/** The pool's object answers in milliseconds: a read pending this long is taken as stuck. */
const MEMBERS_PATIENCE_MS = 1_000;
/** Seeds are asked for their catalog directly; less often, as they do not come and go. */
const SEED_TTL_MS = 5_000;
const SEED_TIMEOUT_MS = 2_000;
const SEED_CAPACITY = 16;
const IDLE: WorkerLoad = { active: 0, queued: 0, ttfa_ms: null };

// Per isolate. A request waits for another's load in flight up to its patience (see SharedLoad).
const registered = new SharedLoad<PoolMember[]>(MEMBERS_TTL_MS, MEMBERS_PATIENCE_MS);
const seeds = new Map<string, SharedLoad<PoolMember | null>>();

async function readRegistered(env: Env): Promise<PoolMember[]> {
  const members = await env.POOL.get(env.POOL.idFromName('pool')).members();
  return members.map(({ leaving: _leaving, interval_ms: _interval, ...member }) => ({ ...member, source: 'registered' as const }));
}

async function readSeed(env: Env, url: string): Promise<PoolMember | null> {
  try {
    const response = await signedFetch(env.WORKER_SECRET, url, WORKER_PATHS.catalog, { method: 'GET', signal: AbortSignal.timeout(SEED_TIMEOUT_MS) });
    if (refusedSignature(response.status)) {
      // Kept as a member serving nothing, so that /admin/pool says why it is unusable.
      workerAuth.refused(url, response.status, WORKER_PATHS.catalog);
      await response.body?.cancel();
      return seedMember(url, null, []);
    }
    if (!response.ok) return null;
    const catalog = WorkerCatalogSchema.parse(await response.json());
    workerAuth.cleared(url);
    return seedMember(url, catalog.worker_id, catalog.models);
  } catch {
    return null;
  }
}

const seedMember = (url: string, workerId: string | null, models: ModelInfo[]): PoolMember => ({
  url,
  worker_id: workerId,
  source: 'seed',
  models,
  capacity: SEED_CAPACITY,
  load: IDLE,
  draining: false,
  version: null,
  last_heartbeat_ms: null,
});

/**
 * The workers of the pool as this isolate sees it: those registered (the pool's Durable Object,
 * read at most once a second) and the seeds of WORKER_URLS that answer their catalog and have
 * not registered themselves; a seed that refuses the edge's signature is listed serving nothing.
 */
export async function poolMembers(env: Env): Promise<PoolMember[]> {
  const members = await registered.get(() => readRegistered(env));
  const known = new Set(members.map((m) => m.url));
  const seedUrls = edgeConfig(env).workerUrls.filter((url) => !known.has(url));
  const answered = await Promise.all(seedUrls.map((url) => seedLoad(url).get(() => readSeed(env, url))));
  return [...members, ...answered.filter((m): m is PoolMember => m !== null)];
}

function seedLoad(url: string): SharedLoad<PoolMember | null> {
  let load = seeds.get(url);
  // A seed's own load gives up after SEED_TIMEOUT_MS: wait that long for another request's.
  if (!load) seeds.set(url, (load = new SharedLoad(SEED_TTL_MS, SEED_TIMEOUT_MS)));
  return load;
}

/** Forget what this isolate knows of the pool: it changed (a worker could not be reached). */
export function forgetPool(url?: string): void {
  registered.forget();
  if (url) seeds.get(url)?.forget();
}
