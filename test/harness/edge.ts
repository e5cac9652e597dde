import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { buildPlayground, PLAYGROUND_DIST } from '../../playground/build.ts';

/**
 * Runs the edge in workerd through Miniflare with the bindings of wrangler.toml (real KV, D1,
 * Durable Objects; in memory) and its static assets (the playground), on a real loopback port.
 */
export interface AccountOptions {
  name?: string;
  /** Credits of a new account; the harness gives plenty (1,000,000) unless told. */
  credits?: number;
  limits?: { requests_per_minute?: number; characters_per_minute?: number; concurrent_streams?: number; max_voices?: number };
}

/** Generous limits for accounts the harness creates, so tests about other things never meet them. */
export const HARNESS_LIMITS = { requests_per_minute: 100_000, characters_per_minute: 100_000_000, concurrent_streams: 1_000 };

export interface EdgeHarness {
  url: string;
  mf: Miniflare;
  adminToken: string;
  /** Lines the edge logged (console.* inside workerd), oldest first. Set EDGE_LOGS=1 to echo them. */
  logs: string[];
  /** Creates an account through the admin API (plenty of credits and generous limits unless told). */
  createAccount(options?: AccountOptions): Promise<{ id: string }>;
  /** Creates a key through the admin API (and an account for it, unless given); returns the key's secret. */
  createKey(
    options?: { scopes?: string[]; expires_at?: string | null; allowed_origins?: string[] | null; account?: string } & AccountOptions,
  ): Promise<{ key: string; account_id: string; id: string }>;
  /** A call to the admin API with the admin token. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  fetch(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  dispose(): Promise<void>;
}

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Miniflare's Analytics Engine simulator drops every data point. The harness binds each dataset
 * of wrangler.toml to this module instead, a wrapped binding as the simulator is, which logs each
 * point as `{"analytics_engine": <dataset>, "data_point": {...}}` so tests find it in `logs`.
 */
const ANALYTICS_RECORDER = 'analytics-engine-recorder';
const ANALYTICS_RECORDER_SCRIPT = `export default ({ dataset }) => ({
  writeDataPoint(point) { console.log(JSON.stringify({ analytics_engine: dataset, data_point: point })); },
});`;

let bundle: Promise<string> | undefined;
/** The edge bundled the way wrangler bundles it (ES module, workerd conditions), once per test file. */
export function bundleEdge(): Promise<string> {
  bundle ??= build({
    entryPoints: [join(ROOT, 'edge/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['cloudflare:*'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return bundle;
}

export async function applyMigrations(mf: Miniflare): Promise<void> {
  const db = await mf.getD1Database('DB');
  const dir = join(ROOT, 'edge/storage/migrations');
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort()) {
    const sql = await readFile(join(dir, file), 'utf8');
    // D1's exec takes one statement per line; run statement by statement instead.
    for (const statement of sql.split(/;\s*$/m).map((s) => s.replace(/--.*$/gm, '').trim()).filter(Boolean)) {
      await db.prepare(statement).run();
    }
  }
}

export async function startEdge(options: {
  workerUrls: string[];
  workerSecret: string;
  vars?: Record<string, string>;
  /** Keep KV, D1 and Durable Object storage in this directory (to inspect it); in memory otherwise. */
  persistTo?: string;
  /** Run this bundled edge instead of edge/index.ts as bundled here (benchmarks build variants). */
  script?: string;
  /** False: leave wrangler.toml's Analytics Engine datasets unbound, as a self-hosted edge may. */
  analytics?: boolean;
  /** Open workerd's inspector (DevTools protocol) on this port: bench/edge-profile.ts profiles the edge through it. */
  inspectorPort?: number;
}): Promise<EdgeHarness> {
  const adminToken = `admin-${crypto.randomUUID()}`;
  const logs: string[] = [];
  const collect = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', (line) => {
      logs.push(line);
      if (process.env.EDGE_LOGS) process.stderr.write(`[edge] ${line}\n`);
    });
  // wrangler.toml's [assets] (the playground) come along in workerOptions, and need the folder:
  // Vitest's globalSetup builds it; benchmarks and scripts that start the edge may come first.
  if (!existsSync(join(PLAYGROUND_DIST, 'index.html'))) await buildPlayground();
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(ROOT, 'wrangler.toml'));
  const { analyticsEngineDatasets = {}, ...edgeOptions } = workerOptions as {
    analyticsEngineDatasets?: Record<string, { dataset: string }>;
    bindings?: Record<string, unknown>;
  };
  const edgeWorker = {
    ...edgeOptions,
    modules: [{ type: 'ESModule', path: join(ROOT, 'edge/index.js'), contents: options.script ?? (await bundleEdge()) }],
    bindings: {
      ...(edgeOptions.bindings ?? {}),
      WORKER_URLS: options.workerUrls.join(','),
      WORKER_SECRET: options.workerSecret,
      ADMIN_TOKEN: adminToken,
      // Tests of other things render every request (a repeated request reaches a worker, as failover
      // and metering tests need); the audio cache's tests turn it on (test/cache.*.test.ts).
      AUDIO_CACHE_MODE: 'off',
      ...options.vars,
    },
    wrappedBindings: Object.fromEntries(
      Object.entries(options.analytics === false ? {} : analyticsEngineDatasets).map(([name, { dataset }]) => [name, { scriptName: ANALYTICS_RECORDER, bindings: { dataset } }]),
    ),
  };
  const mf = new Miniflare({
    // The edge comes first: it serves the port, and getD1Database and the like default to it.
    workers: [edgeWorker, { name: ANALYTICS_RECORDER, modules: true, script: ANALYTICS_RECORDER_SCRIPT }],
    host: '127.0.0.1',
    port: 0,
    ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
    ...(options.persistTo ? { defaultPersistRoot: options.persistTo, kvPersist: true, d1Persist: true, durableObjectsPersist: true } : {}),
    handleRuntimeStdio(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
      collect(stdout);
      collect(stderr);
    },
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = (await mf.ready).toString().replace(/\/$/, '');
  await applyMigrations(mf);

  const harness: EdgeHarness = {
    url,
    mf,
    adminToken,
    logs,
    fetch(path, init = {}) {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set('authorization', `Bearer ${key}`);
      return fetch(url + path, { ...rest, headers });
    },
    admin(method, path, body) {
      return harness.fetch(path, {
        method,
        key: adminToken,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    },
    async createAccount(opts = {}) {
      const response = await harness.admin('POST', '/admin/accounts', {
        name: opts.name ?? 'test account',
        credits: opts.credits ?? 1_000_000,
        limits: { ...HARNESS_LIMITS, ...opts.limits },
      });
      if (response.status !== 201) throw new Error(`account creation failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string };
    },
    async createKey(opts = {}) {
      const accountId = opts.account ?? (await harness.createAccount(opts)).id;
      const response = await harness.admin('POST', `/admin/accounts/${accountId}/keys`, {
        ...(opts.scopes ? { scopes: opts.scopes } : {}),
        ...(opts.expires_at !== undefined ? { expires_at: opts.expires_at } : {}),
        ...(opts.allowed_origins !== undefined ? { allowed_origins: opts.allowed_origins } : {}),
      });
      if (response.status !== 201) throw new Error(`key creation failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as { key: string; account_id: string; id: string };
    },
    dispose: () => mf.dispose(),
  };
  return harness;
}

/**
 * The balance of the key's account once nothing is reserved any more: streams settle just after
 * their audio ends, so a test that checks what it was charged waits for that.
 */
export async function settledBalance(edge: EdgeHarness, key: string, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const usage = (await (await edge.fetch('/v1/usage', { key })).json()) as { balance: number; reserved: number };
    if (usage.reserved === 0) return usage.balance;
    if (Date.now() > deadline) throw new Error(`credits still reserved after ${timeoutMs} ms: ${usage.reserved}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
