/**
 * What the limits cost. Three tables:
 *
 * 1. Time to first audio byte and total time of a short speech request straight to a gpu-worker,
 *    through the edge with the limits on (admission in the account's Durable Object, progress
 *    reports, settlement and the ledger row after the response), and through the same edge
 *    with the limits middleware swapped out at bundle time (bench/stubs/limits-off.ts). The
 *    difference to the direct path is the edge's added latency. With the limits on, the same
 *    request is sent with a key, with a client token (docs/client-tokens.md), and with a token
 *    that has caps and bindings; `Server-Timing: admission` (the edge's own measure, from arrival
 *    until admitted) compares what admission costs with each.
 * 2. Admissions plus settlements one account's Durable Object sustains, driven from inside
 *    workerd at several concurrencies (bench/do-load-worker.ts), as a key and as client tokens.
 *    Each case runs `--rounds` short runs, interleaved with the others' (on a shared machine a
 *    neighbour's burst then lands on every case alike), and shows their median and middle half.
 * 3. What admission and settlement cost the object itself: a burst of them in one call, without
 *    the RPC round trips that make up most of table 2's time; as a key and as client tokens.
 *
 *   npm run bench:limits -- [--requests 60] [--do-requests 600] [--rounds 8]   (--help: every option)
 *
 * Everything runs on this machine (workerd through Miniflare, loopback); the figures compare
 * paths on one machine, they are not production latencies.
 */
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { type EdgeHarness, startEdge } from '../test/harness/edge.ts';
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
    'do-requests': { type: 'string', default: '600', smoke: '20', description: "admissions plus settlements per run on the account's object" },
    'do-levels': { type: 'string', default: '1,8,32,128', smoke: '1,8', description: "callers in flight on the account's object, comma-separated" },
    burst: { type: 'string', default: '5000', smoke: '50', description: "admissions plus settlements in a row inside the account's object, in one call" },
    rounds: { type: 'string', default: '8', smoke: '1', description: "runs of each credential per level on the account's object, interleaved (the median is shown)" },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog.', smoke: 'Hello there.', description: 'what each speech request says' },
  },
});
const requests = Number(values.requests);
const doRequests = Number(values['do-requests']);
const doLevels = values['do-levels'].split(',').map(Number);
const rounds = Number(values.rounds);
const burst = Number(values.burst);
const text = values.text;
const ROOT = new URL('../', import.meta.url).pathname;
/** The edge's `Server-Timing` entry for admission (ADMISSION in edge/middleware/admission-timing.ts, which runs in workerd, not here). */
const ADMISSION = 'admission';

/** Mints a client token with `key` (POST /v1/tokens), failing the bench unless the edge answers 201. */
async function mintToken(edge: EdgeHarness, key: string, body: Record<string, unknown>): Promise<string> {
  const response = await edge.fetch('/v1/tokens', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`POST /v1/tokens: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

/** The ratio of two figures, as the tables print it. */
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}×` : '—');

async function latencyTable() {
  const limitsOffEdge = await bundle('edge/index.ts', [limitsOff]); // first: a stub that no longer builds starts nothing
  const worker = await startGpuWorker();
  const on = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
  const off = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, script: limitsOffEdge });
  try {
    const [keyOn, keyOff] = await Promise.all([on.createKey(), off.createKey()]);
    // Tokens of the same key: one as minted by default, one with caps that are checked and taken on every request (never reached) and bindings.
    const token = await mintToken(on, keyOn.key, { ttl_seconds: 3600 });
    const cappedToken = await mintToken(on, keyOn.key, { ttl_seconds: 3600, max_characters: 100_000_000, max_requests: 1_000_000, models: ['espeak'], voices: ['en-female'] });
    const speech = (edge: typeof on, key: string) => () =>
      edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: text, response_format: 'pcm' }) });
    const paths = {
      'direct to worker': () => signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input: text }) }).then((r) => r.response),
      'edge, limits off': speech(off, keyOff.key),
      'edge, limits on, key': speech(on, keyOn.key),
      'edge, limits on, client token': speech(on, token),
      'edge, limits on, capped token': speech(on, cappedToken),
    };
    const samples = Object.fromEntries(Object.keys(paths).map((name) => [name, [] as Sample[]]));
    for (let i = 0; i < 5; i++) for (const send of Object.values(paths)) await timed(send); // warm up
    // Each path first in turn: a request's settlement and ledger row run after its response, into the next request's time.
    const entries = Object.entries(paths);
    for (let i = 0; i < requests; i++) {
      for (let j = 0; j < entries.length; j++) {
        const [name, send] = entries[(i + j) % entries.length]!;
        samples[name]!.push(await timed(send));
      }
    }

    const direct = samples['direct to worker']!;
    const admission = (list: Sample[]) => list.map((s) => s.serverTiming[ADMISSION]).filter((ms): ms is number => ms !== undefined);
    // workerd's clock moves in whole milliseconds (and only across I/O): the mean of many samples resolves finer than a percentile can.
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const keyAdmission = mean(admission(samples['edge, limits on, key']!));
    const rows = Object.entries(samples).map(([name, list]) => {
      const ttfb = list.map((s) => s.firstByteMs);
      const total = list.map((s) => s.totalMs);
      const admitted = admission(list);
      return {
        path: name,
        'ttfb p50 ms': percentile(ttfb, 50).toFixed(2),
        'ttfb p90 ms': percentile(ttfb, 90).toFixed(2),
        'total p50 ms': percentile(total, 50).toFixed(2),
        'added ttfb p50 ms': (percentile(ttfb, 50) - percentile(direct.map((s) => s.firstByteMs), 50)).toFixed(2),
        'added ttfb p90 ms': (percentile(ttfb, 90) - percentile(direct.map((s) => s.firstByteMs), 90)).toFixed(2),
        'admission p50 ms': admitted.length ? percentile(admitted, 50).toFixed(2) : '—',
        'admission p90 ms': admitted.length ? percentile(admitted, 90).toFixed(2) : '—',
        'admission mean ms': admitted.length ? mean(admitted).toFixed(2) : '—',
        'admission mean ÷ key': admitted.length ? ratio(mean(admitted), keyAdmission) : '—',
      };
    });
    console.log(`\nEdge added latency: ${requests} requests per path, interleaved (each path first in turn); ${[...text].length} characters, espeak, pcm`);
    console.log('admission: Server-Timing, from arrival until admitted (the key read from KV, or the token checked in the account\'s object, with the limits and credits)');
    console.log('capped token: max_characters and max_requests (checked and taken on every request, never reached), bound to espeak and its default voice');
    console.table(rows);
  } finally {
    await Promise.all([on.dispose(), off.dispose()]);
    await worker.stop();
  }
}

/** What the account's object is driven as: its key, a client token, a token with caps and bindings (bench/do-load-worker.ts). */
const DO_CREDENTIALS = { key: 'key', token: 'client token', 'capped-token': 'capped token' } as const;
type DoCredential = keyof typeof DO_CREDENTIALS;

type Run = { seconds: number; exact: boolean };

/** Runs every credential `rounds` times, interleaved, each first in turn: a neighbour's burst on this shared machine lands on all alike. */
async function interleaved(run: (credential: DoCredential) => Promise<Run>): Promise<Record<DoCredential, Run[]>> {
  const credentials = Object.keys(DO_CREDENTIALS) as DoCredential[];
  const runs = Object.fromEntries(credentials.map((credential) => [credential, [] as Run[]])) as Record<DoCredential, Run[]>;
  for (let round = 0; round < rounds; round++) {
    for (const credential of credentials.map((_, i) => credentials[(i + round) % credentials.length]!)) runs[credential].push(await run(credential));
  }
  return runs;
}

async function durableObjectTables() {
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: join(ROOT, 'bench/do-load-worker.js'), contents: await bundle('bench/do-load-worker.ts') }],
    compatibilityDate: '2026-04-01',
    durableObjects: { ACCOUNTS: { className: 'LoadAccountDO', useSQLite: true } },
  });
  const drive = async (route: 'load' | 'burst', credential: DoCredential, count: number, concurrency = 1): Promise<Run> => {
    const response = await mf.dispatchFetch(`http://bench/${route}?requests=${count}&concurrency=${concurrency}&credential=${credential}`);
    if (!response.ok) throw new Error(`${route} as ${credential}: ${response.status} ${await response.text()}`);
    const result = (await response.json()) as { seconds: number; refused: number; balance_ok: boolean };
    return { seconds: result.seconds, exact: result.balance_ok && result.refused === 0 };
  };
  const credentials = Object.keys(DO_CREDENTIALS) as DoCredential[];
  try {
    for (const credential of credentials) await drive('load', credential, 200, 8); // warm up
    const rows = [];
    for (const concurrency of doLevels) {
      const runs = await interleaved((credential) => drive('load', credential, doRequests, concurrency));
      const rate = (credential: DoCredential, p: number) => percentile(runs[credential].map((run) => doRequests / run.seconds), p);
      for (const credential of credentials) {
        const perSecond = rate(credential, 50);
        rows.push({
          credential: DO_CREDENTIALS[credential],
          'callers in flight': concurrency,
          'requests (admit + settle)': doRequests,
          seconds: (doRequests / perSecond).toFixed(2),
          'requests/s': Math.round(perSecond),
          'object calls/s': Math.round(2 * perSecond),
          'balance exact': runs[credential].every((run) => run.exact),
          'middle half requests/s': `${Math.round(rate(credential, 25))}–${Math.round(rate(credential, 75))}`,
          'requests/s ÷ key': ratio(perSecond, rate('key', 50)),
        });
      }
    }
    console.log(`\nOne account's Durable Object: admission + settlement per request, driven from a worker in the same workerd, as its key and as client tokens; median of ${rounds} interleaved run(s) of ${doRequests} requests each`);
    console.log('capped token: max_characters and max_requests checked and taken on every admission, bound to a model, a voice and an origin; balance exact: the account\'s balance (and the token\'s count) is what was charged');
    console.table(rows);

    for (const credential of credentials) await drive('burst', credential, burst); // warm up
    const runs = await interleaved((credential) => drive('burst', credential, burst));
    const micros = (credential: DoCredential, p: number) => percentile(runs[credential].map((run) => (run.seconds * 1e6) / burst), p);
    const burstRows = credentials.map((credential) => ({
      credential: DO_CREDENTIALS[credential],
      'admissions in a row': burst,
      'µs per admit + settle': micros(credential, 50).toFixed(1),
      'middle half µs': `${micros(credential, 25).toFixed(1)}–${micros(credential, 75).toFixed(1)}`,
      'balance exact': runs[credential].every((run) => run.exact),
      '÷ key': ratio(micros(credential, 50), micros('key', 50)),
    }));
    console.log(`\nInside the account's Durable Object: admission + settlement, ${burst} in a row in one call (no RPC between them), as its key and as client tokens; median of ${rounds} interleaved run(s)`);
    console.table(burstRows);
  } finally {
    await mf.dispose();
  }
}

await latencyTable();
await durableObjectTables();
