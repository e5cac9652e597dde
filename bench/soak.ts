/**
 * A long run of speech requests through the edge at a fixed concurrency, watching memory: every
 * `--every` requests (1,000) it prints the resident memory of the edge runtime (the workerd
 * process(es)) and of each gpu-worker, time to first byte (p50, p99) and errors over those
 * requests; then it idles and prints once more. It reports once before and once after a warm-up
 * (`--warmup` requests), and says how much each side grew from the first report after the warm-up
 * (`--every` requests in) to the last, against the bar of issue 14: under 10%. A report whose
 * processes differ from the last one's (a dev server reloading its runtime, a worker started
 * again) is marked "restarted".
 *
 *   npm run bench:soak -- [--requests 10000] [--concurrency 4] [--every 1000] [--warmup 300]
 *                         [--idle-seconds 20] [--format mp3] [--text "..."]   (--help: every option)
 *     starts its own stack: the edge in workerd through Miniflare (test/harness) and one gpu-worker;
 *     `--edge-variant limits-off` runs the edge without its speech limits (bench/edge-variants.ts),
 *     to tell what of the edge's memory is theirs.
 *
 *   npm run bench:soak -- --url http://127.0.0.1:8787 --admin-token admin_... [--worker-port 9100]...
 *     measures a running stack (`npm start`: the edge under scripts/edge-dev.ts), speaking
 *     with a key it makes on a new account with generous limits (or `--key`, whose account's
 *     limits then apply: the demo key's 60 requests a minute refuse most of a soak). The edge's
 *     processes are found from who listens on the URL's port, the workers from `--worker-port`, or
 *     else as the gpu-workers that `npm start` launched beside it.
 */
import { isResponseFormat, RESPONSE_FORMATS } from '../shared/schemas/speech.ts';
import { closedLoop, type LoadOutcome } from './closed-loop.ts';
import { benchArgs } from './options.ts';
import { EDGE_VARIANTS } from './edge-variants.ts';
import { type SoakTarget, type StackMemory, harnessTarget, runningStackTarget } from './soak-targets.ts';
import { percentile } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:soak --',
  summary: "A long run of speech requests through the edge, printing the edge's and the workers' resident memory and time to first byte as it goes.",
  options: {
    requests: { type: 'string', default: '10000', smoke: '20', description: 'requests after the warm-up' },
    concurrency: { type: 'string', default: '4', smoke: '2', description: 'requests in flight' },
    every: { type: 'string', default: '1000', smoke: '10', description: 'requests between reports' },
    warmup: { type: 'string', default: '300', smoke: '4', description: 'requests before the first counted report' },
    'idle-seconds': { type: 'string', default: '20', smoke: '0', description: 'idle time after the run, before the last report' },
    format: { type: 'string', default: 'mp3', description: `response format: ${RESPONSE_FORMATS.join(', ')}` },
    voice: { type: 'string', default: 'en-female', description: 'the voice each request speaks with' },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog.', smoke: 'Hello there.', description: 'what each request says' },
    url: { type: 'string', description: 'a running stack to measure (npm start) instead of starting one' },
    key: { type: 'string', description: "with --url: the API key to speak with (its account's limits apply)" },
    'admin-token': { type: 'string', description: 'with --url: the admin token, to make a key on a new account with room for a soak' },
    'worker-port': { type: 'string', multiple: true, description: "with --url: a gpu-worker's port (repeatable); default the workers npm start launched" },
    'edge-variant': { type: 'string', description: `run the edge with a piece stubbed out: ${Object.keys(EDGE_VARIANTS).join(', ')}` },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const every = Number(values.every);
const idleSeconds = Number(values['idle-seconds']);
if (!isResponseFormat(values.format)) throw new Error(`--format: one of ${RESPONSE_FORMATS.join(', ')}`);
const adminToken = values['admin-token'];
if (values.url && !values.key && !adminToken) throw new Error('--url needs --admin-token (to make a key with room for a soak) or --key');
const body = JSON.stringify({ input: values.text, voice: values.voice, response_format: values.format });

const target: SoakTarget = values.url
  ? await runningStackTarget(values.url, adminToken ? { adminToken } : { key: values.key! }, values['worker-port'].map(Number), body)
  : await harnessTarget(body, values['edge-variant']);

const MB = 1024 * 1024;
const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / MB).toFixed(0));

interface Report {
  label: string;
  edge: number;
  workers: Array<number | undefined>;
  /** The processes measured: a restart (a dev server reloading, a worker started again) changes them. */
  pids: string;
  row: Record<string, string | number>;
}
const reports: Report[] = [];
const pidsOf = (memory: StackMemory) => [...memory.edge.pids.map((p) => p.pid), ...memory.workers.map((w) => w.pid)].join(',');

/** One report: memory now, and the requests since the last report. */
function report(label: string, window: LoadOutcome[], seconds: number, errorsSoFar: number): void {
  const memory = target.memory();
  const ttfb = window.flatMap((o) => (o.ok ? [o.sample.firstByteMs] : []));
  const row: Record<string, string | number> = {
    requests: label,
    'edge MB': mb(memory.edge.total),
    // wrangler's dev server runs two workerd processes (its proxy, and the edge's runtime): each on its own too.
    ...(memory.edge.pids.length > 1 ? Object.fromEntries(memory.edge.pids.map((p) => [`workerd ${p.pid} MB`, mb(p.rss)])) : {}),
    ...Object.fromEntries(memory.workers.map((w) => [`${w.name} MB`, mb(w.rss)])),
    'ttfb p50 ms': ttfb.length ? percentile(ttfb, 50).toFixed(1) : '-',
    'ttfb p99 ms': ttfb.length ? percentile(ttfb, 99).toFixed(1) : '-',
    errors: window.filter((o) => !o.ok).length,
    'errors total': errorsSoFar,
    'req/s': window.length ? (window.length / seconds).toFixed(1) : '-',
  };
  const pids = pidsOf(memory);
  const previous = reports.at(-1);
  if (previous && previous.pids !== pids) row.restarted = 'yes'; // growth across it means little
  reports.push({ label, edge: memory.edge.total, workers: memory.workers.map((w) => w.rss), pids, row });
  console.log(Object.entries(row).map(([name, value]) => `${name} ${value}`).join(' | '));
}

const errorKinds = new Map<string, number>();
try {
  console.log(`Soak: ${target.description}`);
  console.log(`${requests} requests, ${concurrency} in flight, ${values.format}, "${values.text}" (${[...values.text].length} characters); a report every ${every}`);
  const memory = target.memory();
  console.log(`edge processes: ${memory.edge.pids.map((p) => `${p.pid} (${p.name})`).join(', ') || 'none found'}; workers: ${memory.workers.map((w) => `${w.name} ${w.pid}`).join(', ') || 'none found'}`);
  report('start', [], 1, 0);

  const warm = await closedLoop({ total: Number(values.warmup), concurrency, send: target.send });
  report(`warm-up ${values.warmup}`, [], 1, warm.failed);

  let window: LoadOutcome[] = [];
  let windowStarted = performance.now();
  let done = 0;
  let errors = 0;
  await closedLoop({
    total: requests,
    concurrency,
    send: target.send,
    onOutcome(outcome) {
      done++;
      window.push(outcome);
      if (!outcome.ok) {
        errors++;
        const kind = outcome.error.slice(0, 120);
        if (!errorKinds.has(kind)) console.log(`first error of a new kind, request ${done}: ${outcome.error.slice(0, 300)}`);
        errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
      }
      if (done % every === 0 || done === requests) {
        report(String(done), window, (performance.now() - windowStarted) / 1000, errors);
        window = [];
        windowStarted = performance.now();
      }
    },
  });
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  report(`idle ${idleSeconds} s`, [], 1, errors);

  console.log(`\n${target.description}: ${requests} requests, ${concurrency} in flight, ${values.format}`);
  console.table(reports.map((r) => r.row));
  const counted = reports.slice(2, -1); // after the warm-up, before the idle
  const first = counted[0];
  const last = counted.at(-1);
  if (first && last && first !== last) {
    // The issue's bar: after warm-up, under 10% from the first report to the last, on every side.
    const between = Number(last.label) - Number(first.label);
    const growth = (process: string, from: number | undefined, to: number | undefined) => {
      if (!from || !to) return { process, growth: '-', 'per request KB': '-', 'under 10%': '-' };
      const percent = ((to - from) / from) * 100;
      return { process, growth: `${percent.toFixed(1)}% (${mb(from)} → ${mb(to)} MB)`, 'per request KB': ((to - from) / 1024 / between).toFixed(1), 'under 10%': percent < 10 ? 'yes' : 'NO' };
    };
    console.log(`Growth from the first report (${first.label}) to the last (${last.label}):`);
    if (counted.some((r) => r.pids !== first.pids)) console.log('A process was restarted between them (see "restarted"): the growth below is not one process\'s.');
    console.table([growth('edge (workerd)', first.edge, last.edge), ...memory.workers.map((w, i) => growth(w.name, first.workers[i], last.workers[i]))]);
  }
  if (errorKinds.size > 0) console.table([...errorKinds].map(([error, count]) => ({ error, count })));
} finally {
  await target.stop();
}
