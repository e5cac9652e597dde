/**
 * What bench/soak.ts runs against: a stack it starts (the Miniflare harness of the tests), or a
 * running one (`npm start`) found from the process table.
 */
import { HARNESS_LIMITS, startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { bundle, EDGE_VARIANTS } from './edge-variants.ts';
import { ancestorsOf, childrenOf, commandLine, descendantsOf, listenersOf, parentOf, processName, rssBytes } from './processes.ts';

export interface StackMemory {
  edge: { total: number; pids: Array<{ pid: number; name: string; rss: number | undefined }> };
  workers: Array<{ name: string; pid: number | undefined; rss: number | undefined }>;
}

export interface SoakTarget {
  /** What is measured: which runtime serves the edge, and how the processes were found. */
  description: string;
  send(): Promise<Response>;
  /** Looked up again at each call: `npm start` restarts a worker that dies, under a new pid. */
  memory(): StackMemory;
  stop(): Promise<void>;
}

const speech = (url: string, key: string, body: string) => () =>
  fetch(`${url}/v1/audio/speech`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });

function edgeMemory(pids: number[]): StackMemory['edge'] {
  const each = pids.map((pid) => ({ pid, name: processName(pid), rss: rssBytes(pid) }));
  return { total: each.reduce((sum, p) => sum + (p.rss ?? 0), 0), pids: each };
}

const isWorkerd = (pid: number) => processName(pid) === 'workerd';

/**
 * The stack of the tests: the edge in workerd through Miniflare, one gpu-worker; both children of
 * this process. `variant` names an edge with a piece stubbed out (bench/edge-variants.ts).
 */
export async function harnessTarget(body: string, variant?: string): Promise<SoakTarget> {
  const plugins = variant === undefined ? undefined : EDGE_VARIANTS[variant];
  if (variant !== undefined && !plugins) throw new Error(`edge variant: one of ${Object.keys(EDGE_VARIANTS).join(', ')}`);
  const script = plugins ? { script: await bundle('edge/index.ts', plugins) } : {};
  const worker = await startGpuWorker();
  const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, ...script }).catch(async (error: unknown) => {
    await worker.stop();
    throw error;
  });
  const { key } = await edge.createKey();
  // The harness keeps every line the edge logs; a soak would hold them all in this process.
  const keepLogs = setInterval(() => edge.logs.splice(0), 1_000);
  const send = speech(edge.url, key, body);
  return {
    description: `the test harness: edge${variant ? ` (${variant})` : ''} in workerd through Miniflare (in-memory KV, D1, Durable Objects), one gpu-worker`,
    send,
    memory: () => ({
      edge: edgeMemory(descendantsOf(process.pid).filter(isWorkerd)),
      workers: [{ name: 'gpu-worker', pid: worker.process.pid, rss: worker.process.pid ? rssBytes(worker.process.pid) : undefined }],
    }),
    async stop() {
      clearInterval(keepLogs);
      await edge.dispose();
      await worker.stop();
    },
  };
}

/**
 * The edge's processes: whoever listens on its port, and when that is workerd, the other workerd
 * processes of the same parent (wrangler's dev server runs a proxy beside the worker's runtime); when it is
 * not (a Node proxy), the workerd processes below it.
 */
function edgePids(port: number): number[] {
  const found = new Set<number>();
  for (const listener of listenersOf(port)) {
    if (isWorkerd(listener)) {
      found.add(listener);
      const parent = parentOf(listener);
      if (parent !== undefined) for (const sibling of childrenOf(parent).filter(isWorkerd)) found.add(sibling);
    } else {
      for (const child of descendantsOf(listener).filter(isWorkerd)) found.add(child);
      if (found.size === 0) found.add(listener);
    }
  }
  return [...found].sort((a, b) => a - b);
}

/** The gpu-workers `npm start` launched: children of the scripts/start.ts process above the edge. */
function startedWorkers(edge: number[]): number[] {
  const launcher = edge.flatMap(ancestorsOf).find((pid) => commandLine(pid).includes('scripts/start.ts'));
  return launcher === undefined ? [] : childrenOf(launcher).filter((pid) => commandLine(pid).includes('gpu-worker/main.ts'));
}

/** A key on a new account with room for a soak (the demo key's 60 requests a minute has not). */
async function soakKey(url: string, adminToken: string): Promise<string> {
  const admin = async (path: string, body: unknown) => {
    const response = await fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string; key: string };
  };
  const account = await admin('/admin/accounts', { name: 'soak', credits: 100_000_000, limits: HARNESS_LIMITS });
  return (await admin(`/admin/accounts/${account.id}/keys`, {})).key;
}

/**
 * A stack already running at `url` (e.g. `npm start`): measured, never started or stopped here.
 * It speaks with `key`, or with a key made through the admin API on an account with room.
 */
export async function runningStackTarget(url: string, auth: { key: string } | { adminToken: string }, workerPorts: number[], body: string): Promise<SoakTarget> {
  const key = 'key' in auth ? auth.key : await soakKey(url, auth.adminToken);
  const port = Number(new URL(url).port || 80);
  const workers = () =>
    workerPorts.length > 0
      ? workerPorts.map((p) => ({ name: `gpu-worker :${p}`, pid: listenersOf(p)[0] }))
      : startedWorkers(edgePids(port)).map((pid, i) => ({ name: `gpu-worker ${i + 1}`, pid }));
  // Which dev server runs the edge: `wrangler dev`, or whatever else started its workerd.
  const edge = edgePids(port);
  const parent = edge.length > 0 ? parentOf(edge[0]!) : undefined;
  const server = parent === undefined ? 'unknown' : commandLine(parent).replace(/^\S*\/(node|bin\/node) /, 'node ').slice(0, 90);
  return {
    description: `the running stack at ${url}: edge in workerd under "${server}", workers ${workerPorts.length > 0 ? `on ports ${workerPorts.join(', ')}` : 'launched beside it by npm start'}`,
    send: speech(url, key, body),
    memory: () => ({
      edge: edgeMemory(edgePids(port)),
      workers: workers().map((w) => ({ ...w, rss: w.pid === undefined ? undefined : rssBytes(w.pid) })),
    }),
    stop: async () => {},
  };
}
