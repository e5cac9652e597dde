/**
 * Overload: many requests in flight against a small pool for a fixed time, each client starting
 * again as soon as it is answered (a refused one after the Retry-After it was given, as a polite
 * client would). Prints, per first-audio budget (FIRST_AUDIO_BUDGET_MS): requests, served,
 * refused (503 pool_saturated), other failures, time to first byte of the served (p50, p99) and
 * how long a refusal took to arrive (p50, p99), beside the round trip of a request the edge
 * answers at once (a 404, ten a second during the run): the floor any refusal stands on, which on
 * a busy machine is most of it. Run with the budget effectively off (a very large one) and with
 * the default to see what shedding changes. Workers join by heartbeat.
 *
 *   npm run bench:overload -- [--in-flight 80] [--workers 3] [--seconds 40] [--budgets 10000000,2000]   (--help: every option)
 */
import { speak } from '../test/clips.ts';
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker, TEST_WORKER_SECRET } from '../test/harness/gpu-worker.ts';
import { benchArgs } from './options.ts';
import { percentile } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:overload --',
  summary: 'Many requests in flight against a small pool for a fixed time: how many are served, refused at once (pool_saturated) or fail, and how fast.',
  options: {
    'in-flight': { type: 'string', default: '80', smoke: '6', description: 'clients, each with one request in flight at a time' },
    workers: { type: 'string', default: '3', smoke: '1', description: 'gpu-workers in the pool' },
    seconds: { type: 'string', default: '40', smoke: '3', description: 'how long each run sends requests' },
    budgets: { type: 'string', default: '10000000,2000', smoke: '10000000,1', description: 'FIRST_AUDIO_BUDGET_MS of each run, comma-separated (10000000: shedding effectively off)' },
    'max-streams': { type: 'string', default: '16', smoke: '1', description: "each worker's MAX_STREAMS (its default: 16)" },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog. It was not amused, and said so at length.', smoke: 'Hello there.', description: 'what each request says' },
  },
});
const inFlight = Number(values['in-flight']);
const workerCount = Number(values.workers);
const seconds = Number(values.seconds);
const budgets = values.budgets.split(',').map(Number);
const HEARTBEAT_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (values: number[], p: number) => (values.length === 0 ? '-' : percentile(values, p).toFixed(0));

async function run(budget: number): Promise<Record<string, string | number>> {
  const edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: { FIRST_AUDIO_BUDGET_MS: String(budget) } });
  const workerEnv = { EDGE_URL: edge.url, HEARTBEAT_MS: String(HEARTBEAT_MS), MAX_STREAMS: values['max-streams'] };
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startGpuWorker({ env: workerEnv })));
  try {
    const { key } = await edge.createKey();
    const pool = async () => ((await (await edge.admin('GET', '/admin/pool')).json()) as { data: unknown[] }).data;
    while ((await pool()).length < workerCount) await sleep(100);
    // One request a worker first, so each has a time to first audio to report.
    for (let i = 0; i < workerCount * 2; i++) await (await speak(edge, key, { input: values.text, response_format: 'pcm' })).arrayBuffer();

    const servedTtfb: number[] = [];
    const refusalMs: number[] = [];
    const others = new Map<string, number>();
    const deadline = performance.now() + seconds * 1000;
    const cpuBefore = process.cpuUsage();
    const pings: number[] = [];
    const pinging = (async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        // A reset connection (workerd under this load resets one now and then) is no round trip.
        const answered = await edge.fetch('/no-such-route').then((r) => r.arrayBuffer()).then(() => true, () => false);
        if (answered) pings.push(performance.now() - start);
        await sleep(100);
      }
    })();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < deadline) {
          const start = performance.now();
          try {
            const response = await speak(edge, key, { input: values.text, response_format: 'pcm' });
            if (response.status === 503) {
              const body = (await response.json()) as { error?: { code?: string } };
              if (body.error?.code === 'pool_saturated') {
                refusalMs.push(performance.now() - start);
                await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
                continue;
              }
              others.set(`503 ${body.error?.code}`, (others.get(`503 ${body.error?.code}`) ?? 0) + 1);
              continue;
            }
            if (!response.ok) {
              others.set(String(response.status), (others.get(String(response.status)) ?? 0) + 1);
              await response.body?.cancel();
              continue;
            }
            const reader = response.body!.getReader();
            let first = NaN;
            for (;;) {
              const { done } = await reader.read();
              if (Number.isNaN(first)) first = performance.now() - start;
              if (done) break;
            }
            servedTtfb.push(first);
          } catch (error) {
            const name = error instanceof Error ? error.message.slice(0, 40) : 'error';
            others.set(name, (others.get(name) ?? 0) + 1);
          }
        }
      }),
    );
    await pinging;
    const cpu = process.cpuUsage(cpuBefore);
    const otherCount = [...others.values()].reduce((a, b) => a + b, 0);
    if (otherCount > 0) console.log(`budget ${budget} ms, other failures:`, Object.fromEntries(others));
    return {
      'budget ms': budget,
      requests: servedTtfb.length + refusalMs.length + otherCount,
      served: servedTtfb.length,
      refused: refusalMs.length,
      'other failures': otherCount,
      'ttfb p50 ms': ms(servedTtfb, 50),
      'ttfb p99 ms': ms(servedTtfb, 99),
      'refusal p50 ms': ms(refusalMs, 50),
      'refusal p99 ms': ms(refusalMs, 99),
      'edge 404 p50/p99 ms': `${ms(pings, 50)}/${ms(pings, 99)}`,
      'bench CPU %': (((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100).toFixed(0),
    };
  } finally {
    await edge.dispose();
    await Promise.all(workers.map((w) => w.stop()));
  }
}

const rows: Array<Record<string, string | number>> = [];
for (const budget of budgets) rows.push(await run(budget));
console.log(`Overload: ${inFlight} in flight against ${workerCount} workers (MAX_STREAMS ${values['max-streams']}) for ${seconds} s, espeak, pcm, ${values.text.length} characters a request`);
console.table(rows);
