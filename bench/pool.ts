/**
 * The pool under load: throughput and time to first audio (p50, p99) through the edge with one,
 * two and three workers at a fixed concurrency; then, with three workers (the largest pool size)
 * under load, how long after a worker is killed the edge stops routing to it (its circuit opens)
 * and the pool drops it (missed heartbeats). Workers join by heartbeat, as in production.
 *
 *   npm run bench:pool -- [--requests 90] [--concurrency 6] [--workers 1,2,3]   (--help: every option)
 */
import { speak } from '../test/clips.ts';
import { type EdgeHarness, startEdge } from '../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from '../test/harness/gpu-worker.ts';
import { benchArgs } from './options.ts';
import { percentile, timed } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:pool --',
  summary: 'The pool under load: throughput and time to first audio with more workers, then how soon the edge stops routing to a worker killed under load.',
  options: {
    requests: { type: 'string', default: '90', smoke: '4', description: 'requests at each pool size, after a warm-up' },
    concurrency: { type: 'string', default: '6', smoke: '2', description: 'requests in flight' },
    workers: { type: 'string', default: '1,2,3', smoke: '2', description: 'pool sizes, comma-separated; the largest also runs the kill' },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog. It was not amused, and said so at length.', smoke: 'Hello there.', description: 'what each request says' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const poolSizes = values.workers.split(',').map(Number);
const HEARTBEAT_MS = 500;
const TEXT = values.text;

interface PoolEntry {
  url: string;
  circuit: string;
}

async function stackOf(n: number): Promise<{ edge: EdgeHarness; key: string; workers: GpuWorkerHarness[]; pool: () => Promise<PoolEntry[]> }> {
  const edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET });
  const { key } = await edge.createKey();
  const workers = await Promise.all(Array.from({ length: n }, () => startGpuWorker({ env: { EDGE_URL: edge.url, HEARTBEAT_MS: String(HEARTBEAT_MS) } })));
  const pool = async () => ((await (await edge.admin('GET', '/admin/pool')).json()) as { data: PoolEntry[] }).data;
  while ((await pool()).length < n) await new Promise((resolve) => setTimeout(resolve, 100));
  return { edge, key, workers, pool };
}

/** Runs `total` requests, `concurrency` at a time; returns each one's time to first byte and the wall time. */
async function load(edge: EdgeHarness, key: string, total: number, until?: () => boolean) {
  const ttfb: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && !until?.()) {
        next++;
        try {
          ttfb.push((await timed(() => speak(edge, key, { input: TEXT, response_format: 'pcm' }))).firstByteMs);
        } catch {
          failed++;
        }
      }
    }),
  );
  return { ttfb, failed, seconds: (performance.now() - started) / 1000 };
}

type Stack = Awaited<ReturnType<typeof stackOf>>;

async function throughput({ edge, key }: Stack, n: number): Promise<Record<string, string | number>> {
  await load(edge, key, concurrency * 2); // warm up
  const { ttfb, failed, seconds } = await load(edge, key, requests);
  return {
    workers: n,
    requests,
    concurrency,
    'requests/s': (ttfb.length / seconds).toFixed(2),
    'ttfb p50 ms': percentile(ttfb, 50).toFixed(1),
    'ttfb p99 ms': percentile(ttfb, 99).toFixed(1),
    failed,
  };
}

/** A worker dies under load: when does routing to it stop, and when does the pool forget it? */
async function killUnderLoad({ edge, key, workers, pool }: Stack): Promise<Record<string, string | number>> {
  let done = false;
  const traffic = load(edge, key, Number.MAX_SAFE_INTEGER, () => done);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const victim = workers[0]!;
  const killedAt = performance.now();
  await victim.kill();
  let circuitOpenMs = NaN;
  let droppedMs = NaN;
  while (Number.isNaN(droppedMs) && performance.now() - killedAt < 30_000) {
    const entry = (await pool()).find((m) => m.url === victim.url);
    if (Number.isNaN(circuitOpenMs) && (!entry || entry.circuit !== 'closed')) circuitOpenMs = performance.now() - killedAt;
    if (!entry) droppedMs = performance.now() - killedAt;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  done = true;
  const { failed, ttfb } = await traffic;
  return {
    'death → circuit open (no more requests routed) ms': circuitOpenMs.toFixed(0),
    'death → dropped from the pool ms': droppedMs.toFixed(0),
    'requests served during the run': ttfb.length,
    'requests failed': failed,
  };
}

const rows: Array<Record<string, string | number>> = [];
let killed: Record<string, string | number> | undefined;
for (const n of poolSizes) {
  const stack = await stackOf(n);
  try {
    rows.push(await throughput(stack, n));
    // The largest pool, once measured, loses a worker (a stack fewer to start).
    if (n === Math.max(...poolSizes) && !killed) killed = await killUnderLoad(stack);
  } finally {
    await stack.edge.dispose();
    await Promise.all(stack.workers.map((w) => w.stop()));
  }
}
console.log(`Pool throughput: espeak, pcm, ${TEXT.length} characters a request, ${concurrency} in flight`);
console.table(rows);
console.log(`A worker killed under load (heartbeat ${HEARTBEAT_MS} ms, dropped after 3 missed):`);
console.table([killed]);
