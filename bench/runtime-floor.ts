/**
 * The runtime's floor: a Worker that only passes each request through to a gpu-worker and its
 * answer back, run on the same local stack as the edge (Miniflare, the same workerd). What it
 * adds over going straight to the worker is what any Worker in front of the pool costs here
 * (an extra process hop on loopback, workerd's HTTP in and out), before any of the edge's work;
 * `npm run bench` prints it beside the edge (issue 23).
 *
 * The request is forwarded verbatim (method, path, headers, body), so a request signed for the
 * worker stays valid, and the answer's body is handed back as workerd read it, with no JS per chunk.
 * It is deployed as the edge is: the same compatibility settings and the same static assets (the
 * playground) in front, whose router sees every request first.
 */
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const PASS_THROUGH_SCRIPT = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.TARGET + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
  },
};`;

export interface RuntimeFloor {
  url: string;
  dispose(): Promise<void>;
}

export async function startRuntimeFloor(target: string, options: { inspectorPort?: number } = {}): Promise<RuntimeFloor> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(new URL('../', import.meta.url).pathname, 'wrangler.toml'));
  const { compatibilityDate, compatibilityFlags, assets } = workerOptions as { compatibilityDate?: string; compatibilityFlags?: string[]; assets?: unknown };
  const mf = new Miniflare({
    modules: true,
    script: PASS_THROUGH_SCRIPT,
    bindings: { TARGET: target },
    ...(compatibilityDate ? { compatibilityDate } : {}),
    ...(compatibilityFlags ? { compatibilityFlags } : {}),
    ...(assets ? { assets } : {}),
    host: '127.0.0.1',
    port: 0,
    ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
  } as ConstructorParameters<typeof Miniflare>[0]);
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { url, dispose: () => mf.dispose() };
}
