/**
 * What the limits cost. Two tables:
 *
 * 1. Time to first audio byte and total time of a short speech request straight to a gpu-worker,
 *    through the edge with the limits on (admission in the account's Durable Object, progress
 *    reports, settlement and the ledger row after the response), and through the same edge
 *    with the limits middleware swapped out at bundle time (bench/stubs/limits-off.ts). The
 *    difference to the direct path is the edge's added latency.
 * 2. Admissions plus settlements one account's Durable Object sustains, driven from inside
 *    workerd at several concurrencies (bench/do-load-worker.ts).
 *
 *   npm run bench:limits -- [--requests 60] [--do-requests 3000]   (--help: every option)
 *
 * Everything runs on this machine (workerd through Miniflare, loopback); the figures compare
 * paths on one machine, they are not production latencies.
 */
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';
import { bundle, limitsOff } from './edge-variants.ts';
import { benchArgs } from './options.ts';
import { percentile, type Sample, timed } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:limits --',
  summary: "What the limits cost: the edge's added latency with the limits on and off, and what one account's Durable Object sustains.",
  options: {
    requests: { type: 'string', default: '60', smoke: '2', description: 'speech requests per path (after 5 warm-ups each)' },
    'do-requests': { type: 'string', default: '3000', smoke: '20', description: "admissions plus settlements per concurrency on the account's object" },
    'do-levels': { type: 'string', default: '1,8,32,128', smoke: '1,8', description: "callers in flight on the account's object, comma-separated" },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog.', smoke: 'Hello there.', description: 'what each speech request says' },
  },
});
const requests = Number(values.requests);
const doRequests = Number(values['do-requests']);
const doLevels = values['do-levels'].split(',').map(Number);
const text = values.text;
const ROOT = new URL('../', import.meta.url).pathname;

async function latencyTable() {
  const limitsOffEdge = await bundle('edge/index.ts', [limitsOff]); // first: a stub that no longer builds starts nothing
  const worker = await startGpuWorker();
  const on = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
  const off = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, script: limitsOffEdge });
  try {
    const [keyOn, keyOff] = await Promise.all([on.createKey(), off.createKey()]);
    const speech = (edge: typeof on, key: string) => () =>
      edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: text, response_format: 'pcm' }) });
    const paths = {
      'direct to worker': () => signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input: text }) }).then((r) => r.response),
      'edge, limits off': speech(off, keyOff.key),
      'edge, limits on': speech(on, keyOn.key),
    };
    const samples = Object.fromEntries(Object.keys(paths).map((name) => [name, [] as Sample[]]));
    for (let i = 0; i < 5; i++) for (const send of Object.values(paths)) await timed(send); // warm up
    for (let i = 0; i < requests; i++) for (const [name, send] of Object.entries(paths)) samples[name]!.push(await timed(send));

    const direct = samples['direct to worker']!;
    const rows = Object.entries(samples).map(([name, list]) => {
      const ttfb = list.map((s) => s.firstByteMs);
      const total = list.map((s) => s.totalMs);
      return {
        path: name,
        'ttfb p50 ms': percentile(ttfb, 50).toFixed(2),
        'ttfb p90 ms': percentile(ttfb, 90).toFixed(2),
        'total p50 ms': percentile(total, 50).toFixed(2),
        'added ttfb p50 ms': (percentile(ttfb, 50) - percentile(direct.map((s) => s.firstByteMs), 50)).toFixed(2),
        'added ttfb p90 ms': (percentile(ttfb, 90) - percentile(direct.map((s) => s.firstByteMs), 90)).toFixed(2),
      };
    });
    console.log(`\nEdge added latency: ${requests} requests per path, interleaved; ${[...text].length} characters, espeak, pcm`);
    console.table(rows);
  } finally {
    await Promise.all([on.dispose(), off.dispose()]);
    await worker.stop();
  }
}

async function durableObjectTable() {
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: join(ROOT, 'bench/do-load-worker.js'), contents: await bundle('bench/do-load-worker.ts') }],
    compatibilityDate: '2026-04-01',
    durableObjects: { ACCOUNTS: { className: 'AccountDO', useSQLite: true } },
  });
  try {
    const rows = [];
    await mf.dispatchFetch(`http://bench/load?requests=200&concurrency=8`); // warm up
    for (const concurrency of doLevels) {
      const result = (await (await mf.dispatchFetch(`http://bench/load?requests=${doRequests}&concurrency=${concurrency}`)).json()) as {
        seconds: number;
        refused: number;
        balance_ok: boolean;
      };
      rows.push({
        'callers in flight': concurrency,
        'requests (admit + settle)': doRequests,
        seconds: result.seconds.toFixed(2),
        'requests/s': Math.round(doRequests / result.seconds),
        'object calls/s': Math.round((2 * doRequests) / result.seconds),
        'balance exact': result.balance_ok && result.refused === 0,
      });
    }
    console.log(`\nOne account's Durable Object: admission + settlement per request, driven from a worker in the same workerd`);
    console.table(rows);
  } finally {
    await mf.dispose();
  }
}

await latencyTable();
await durableObjectTable();
