/**
 * Reproduction: under `wrangler dev` (4.86, workerd 2026-04), memory of the local stack grows
 * with every request and never comes back, while the same worker in Miniflare alone stays flat.
 *
 * The worker (worker.js) logs one line and streams a subrequest's body. wrangler dev's
 * InspectorProxyWorker connects to the runtime's inspector, sends it `Runtime.enable` and
 * `Network.enable`, and pushes every message the runtime sends (a console call, and the Network
 * events of each subrequest) onto `runtimeMessageBuffer`, which only a connected DevTools client
 * drains: with none connected, it grows for as long as the server runs.
 *
 *   npx node bench/repro/wrangler-dev-inspector/driver.ts --mode cli [--requests 2000] [--concurrency 4] [--every 250]
 *   (--help: every option)
 *
 * Modes:
 *   cli               `wrangler dev` as `npm start` runs it (inspector on, no DevTools attached)
 *   cli-devtools      the same, with a DevTools client attached from the start that discards
 *                     what it gets (and counts it: the messages each request costs)
 *   api-no-inspector  wrangler's `unstable_startWorker` with `dev.inspector: false`
 *   miniflare         Miniflare alone (no inspector), the control
 *
 * Prints the resident memory of every workerd process (and wrangler's Node process) every
 * `--every` requests, then again after `--idle-seconds`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { unstable_startWorker } from 'wrangler';
import { benchArgs } from '../../options.ts';
import { descendantsOf, listenersOf, processName, rssBytes } from '../../processes.ts';

const MODES = ['cli', 'cli-devtools', 'api-no-inspector', 'miniflare'] as const;
const { values } = benchArgs({
  command: 'npx node bench/repro/wrangler-dev-inspector/driver.ts',
  summary: "The local stack's resident memory over many requests to a worker that logs and streams a subrequest, run one of four ways (--mode).",
  options: {
    mode: { type: 'string', default: 'cli', smoke: 'miniflare', description: `how the worker runs: ${MODES.join(', ')}` },
    requests: { type: 'string', default: '2000', smoke: '100', description: 'requests sent' },
    concurrency: { type: 'string', default: '4', description: 'requests in flight' },
    every: { type: 'string', default: '250', smoke: '50', description: 'requests between memory readings' },
    'idle-seconds': { type: 'string', default: '10', smoke: '0', description: 'idle time after the run, before the last reading' },
    port: { type: 'string', default: '8878', description: "the worker's port" },
    'inspector-port': { type: 'string', default: '9279', description: "wrangler dev's inspector port (cli modes)" },
  },
});
const mode = values.mode as (typeof MODES)[number];
if (!MODES.includes(mode)) throw new Error(`--mode: one of ${MODES.join(', ')}`);
// Offline, wrangler and Miniflare would fetch the `Request.cf` object and print two stack traces; in every mode.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
const port = Number(values.port);
const inspectorPort = Number(values['inspector-port']);
const HERE = new URL('.', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;

// The upstream: 16 chunks of 4 KiB, like a short audio stream.
const upstream = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  for (let i = 0; i < 16; i++) res.write(Buffer.alloc(4096, i));
  res.end();
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;

/** Starts the worker the chosen way; returns the processes to watch and how to stop. */
async function start(): Promise<{ root: number; stop: () => Promise<void> }> {
  if (mode === 'miniflare') {
    const mf = new Miniflare({
      scriptPath: join(HERE, 'worker.js'),
      modules: true,
      compatibilityDate: '2026-04-01',
      bindings: { UPSTREAM: upstreamUrl },
      host: '127.0.0.1',
      port,
      handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => [stdout, stderr].forEach((stream) => stream.resume()), // its log lines, dropped
    });
    await mf.ready;
    return { root: process.pid, stop: () => mf.dispose() };
  }
  if (mode === 'api-no-inspector') {
    const worker = await unstable_startWorker({
      config: join(HERE, 'wrangler.toml'),
      bindings: { UPSTREAM: { type: 'plain_text', value: upstreamUrl } },
      dev: { inspector: false, server: { hostname: '127.0.0.1', port }, logLevel: 'warn', watch: false, persist: false },
    });
    await worker.ready;
    return { root: process.pid, stop: () => worker.dispose() };
  }
  const child: ChildProcess = spawn(
    join(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--config', join(HERE, 'wrangler.toml'), '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--var', `UPSTREAM:${upstreamUrl}`, '--log-level', 'warn', '--show-interactive-dev-session=false'],
    { env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' }, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  };
  for (let i = 0; i < 600; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.arrayBuffer()).then(() => true, () => false)) return { root: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('wrangler dev did not answer within 60 s');
}

interface MethodCount {
  count: number;
  bytes: number;
  /** The biggest field of its params, in the last message of the kind (what makes it heavy). */
  biggest: string;
}

/** The largest field of an object, by the length of its JSON. */
const biggestField = (params: Record<string, unknown> = {}) =>
  Object.entries(params)
    .map(([name, value]) => ({ name, size: JSON.stringify(value)?.length ?? 0 }))
    .sort((a, b) => b.size - a.size)
    .map(({ name, size }) => `${name} (${size} B)`)[0] ?? '';

/** A DevTools client on wrangler's inspector port that throws away what it gets, counting it by method. */
async function attachDevtools(): Promise<Map<string, MethodCount>> {
  const counts = new Map<string, MethodCount>();
  const socket = new WebSocket(`ws://127.0.0.1:${inspectorPort}/ws`, { headers: { origin: 'http://localhost' } } as unknown as string[]);
  socket.onmessage = (event) => {
    const text = String(event.data);
    const message = JSON.parse(text) as { method?: string; params?: Record<string, unknown> };
    const method = message.method ?? '(reply)';
    const entry = counts.get(method) ?? { count: 0, bytes: 0, biggest: '' };
    entry.count++;
    entry.bytes += text.length;
    entry.biggest = biggestField(message.params);
    counts.set(method, entry);
  };
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  return counts;
}

const { root, stop } = await start();
const MB = 1024 * 1024;
const rows: Array<Record<string, string | number>> = [];
function report(label: string) {
  const entry = listenersOf(port);
  const watched = descendantsOf(root).filter((pid) => processName(pid) === 'workerd');
  const row: Record<string, string | number> = { requests: label };
  for (const pid of watched) row[`workerd ${pid}${entry.includes(pid) ? ' (entry)' : ''} MB`] = ((rssBytes(pid) ?? 0) / MB).toFixed(0);
  if (mode.startsWith('cli')) {
    const node = descendantsOf(root).filter((pid) => processName(pid) === 'node');
    row['wrangler node MB'] = (node.reduce((sum, pid) => sum + (rssBytes(pid) ?? 0), 0) / MB).toFixed(0);
  } else {
    row['driver node MB'] = (process.memoryUsage().rss / MB).toFixed(0); // wrangler's API or Miniflare runs in this process
  }
  rows.push(row);
  console.log(Object.entries(row).map(([k, v]) => `${k} ${v}`).join(' | '));
}

try {
  const counts = mode === 'cli-devtools' ? await attachDevtools() : undefined;
  const total = Number(values.requests);
  const every = Number(values.every);
  console.log(`mode ${mode}: ${total} requests, ${values.concurrency} in flight, through http://127.0.0.1:${port}`);
  report('0');
  counts?.clear();
  let sent = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      while (sent < total) {
        sent++;
        const response = await fetch(`http://127.0.0.1:${port}/speech`);
        await response.arrayBuffer();
        if (++done % every === 0) report(String(done));
      }
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, Number(values['idle-seconds']) * 1000));
  report(`idle ${values['idle-seconds']} s`);
  console.table(rows);
  if (counts) {
    console.log('What the runtime sent to the inspector proxy per request (a DevTools client attached):');
    console.table(
      [...counts].map(([method, { count, bytes, biggest }]) => ({ method, 'per request': (count / total).toFixed(2), 'bytes per request': Math.round(bytes / total), 'biggest field': biggest })),
    );
  }
} finally {
  await stop();
  upstream.close();
}
