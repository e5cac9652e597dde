/**
 * The edge's CPU per request (issue 23's bar: at most 5 ms for a 45-character request, plus at most
 * 0.3 ms per second of audio streamed), measured as the CPU time the operating system charged the
 * workerd process (`/proc/<pid>/stat`, user + system, every thread) over a run of requests at one
 * in flight, minus the same for the runtime's floor: a Worker that only passes each request through
 * (bench/runtime-floor.ts) on the same local stack.
 *
 * Why not the V8 profiler (`npm run bench:edge-profile`)? In workerd it samples wall time: a sample
 * taken while the isolate waits is charged to the last native function it called, so `fetch` in
 * a pass-through Worker "took" 22 ms of a 40 ms request. The process's CPU time is what the
 * machine really spent. It is an upper bound on the edge isolate's own: the process also runs,
 * locally, the account's Durable Object and the simulators of KV, D1 and Analytics Engine, which in
 * production run elsewhere and are billed apart.
 *
 * Where it goes, per step: the same edge built without a step (bench/edge-variants.ts) shows what
 * that step costs. `limits off` has no admission, progress, settlement or ledger row (the account's
 * object and D1: bench/stubs/limits-off.ts); `logging off` writes no request log line and no
 * analytics point (bench/stubs/logging-off.ts). The body's path is the cost per second of audio
 * (the long text's less the short one's); what is left of the short request is authentication,
 * reading and checking the request, resolution, routing, signing and the framework.
 *
 * Two texts, a short and a long one: the difference gives the cost per second of audio (the
 * body's path), the short one's total what a request costs besides.
 *
 *   npm run bench:edge-cpu -- [--requests 200] [--rounds 3]   (--help: every option)
 */
import { startEdge, type EdgeHarness } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';
import { FORMATS } from '../shared/audio/formats.ts';
import { bundle, limitsOff, loggingOff } from './edge-variants.ts';
import { benchArgs } from './options.ts';
import { startRuntimeFloor } from './runtime-floor.ts';
import { percentile } from './timing.ts';
import { cpuMs, withPid } from './workerd-cpu.ts';

const { values } = benchArgs({
  command: 'npm run bench:edge-cpu --',
  summary: "CPU per request of the edge's workerd process, over a pass-through Worker's, for a short and a long request.",
  options: {
    requests: { type: 'string', default: '150', smoke: '3', description: 'requests per path, text and round' },
    rounds: { type: 'string', default: '3', smoke: '1', description: 'rounds (the median round is shown)' },
    short: { type: 'string', default: 'Your table for two is ready at the front desk', smoke: 'Hello there.', description: 'the short text (45 characters by default)' },
    long: {
      type: 'string',
      default:
        'The quick brown fox jumps over the lazy dog. It was not amused, and said so at length, to anyone who would listen, for the rest of the afternoon and well into the evening.',
      smoke: 'Hello there, and welcome.',
      description: 'the long text',
    },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const PCM_BYTES_PER_SECOND = FORMATS.pcm.bitrate(FORMATS.pcm.defaultSampleRate) / 8;
const worker = await startGpuWorker();
const floor = await withPid(() => startRuntimeFloor(worker.url));
const full = await withPid(() => startEdge({ workerUrls: [worker.url], workerSecret: worker.secret }));
const variant = async (plugin: typeof limitsOff) =>
  withPid(async () => startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, script: await bundle('edge/index.ts', [plugin]) }));
const limitsOffEdge = await variant(limitsOff);
const loggingOffEdge = await variant(loggingOff);

type Path = { name: string; pid: number; send: (text: string) => Promise<Response> };
const speechVia = async (edge: EdgeHarness): Promise<(text: string) => Promise<Response>> => {
  const { key } = await edge.createKey();
  return (text) =>
    edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: text, language: 'en', response_format: 'pcm' }) });
};
const paths: Path[] = [
  {
    name: 'runtime floor (pass-through Worker)',
    pid: floor.pid,
    send: async (text) => (await signedWorkerFetch(floor.started.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input: text, language: 'en' }) })).response,
  },
  { name: 'edge', pid: full.pid, send: await speechVia(full.started) },
  { name: 'edge, limits off', pid: limitsOffEdge.pid, send: await speechVia(limitsOffEdge.started) },
  { name: 'edge, logging off', pid: loggingOffEdge.pid, send: await speechVia(loggingOffEdge.started) },
];

/** CPU ms per request of one path for one text, and the audio seconds each request streamed. */
async function measure(path: Path, text: string): Promise<{ cpuMs: number; audioSeconds: number }> {
  let bytes = 0;
  const run = async () => {
    const response = await path.send(text);
    if (!response.ok) throw new Error(`${path.name}: ${response.status} ${await response.text()}`);
    bytes += (await response.arrayBuffer()).byteLength;
  };
  for (let i = 0; i < 3; i++) await run(); // warm
  bytes = 0;
  const before = cpuMs(path.pid);
  for (let i = 0; i < requests; i++) await run();
  return { cpuMs: (cpuMs(path.pid) - before) / requests, audioSeconds: bytes / requests / PCM_BYTES_PER_SECOND };
}

try {
  const results = new Map<string, { short: number[]; long: number[]; shortAudio: number; longAudio: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const path of paths) {
      const short = await measure(path, values.short);
      const long = await measure(path, values.long);
      const entry = results.get(path.name) ?? { short: [], long: [], shortAudio: short.audioSeconds, longAudio: long.audioSeconds };
      entry.short.push(short.cpuMs);
      entry.long.push(long.cpuMs);
      results.set(path.name, entry);
    }
  }
  const median = (list: number[]) => percentile(list, 50);
  const floorRow = results.get(paths[0]!.name)!;
  const { shortAudio, longAudio } = floorRow;
  console.log(
    `${requests} requests a path, text and round, 1 in flight, pcm; median of ${rounds} rounds. Short: ${values.short.length} characters, ${shortAudio.toFixed(1)} s of audio; long: ${values.long.length} characters, ${longAudio.toFixed(1)} s.`,
  );
  console.table(
    [...results].map(([name, r]) => {
      const short = median(r.short) - (name === paths[0]!.name ? 0 : median(floorRow.short));
      const long = median(r.long) - (name === paths[0]!.name ? 0 : median(floorRow.long));
      const perAudioSecond = (long - short) / (longAudio - shortAudio);
      return {
        path: name,
        'short CPU ms': median(r.short).toFixed(2),
        'long CPU ms': median(r.long).toFixed(2),
        'over floor, short ms': name === paths[0]!.name ? '-' : short.toFixed(2),
        'over floor, long ms': name === paths[0]!.name ? '-' : long.toFixed(2),
        'ms per audio s': name === paths[0]!.name ? '-' : perAudioSecond.toFixed(2),
        'short bound ms': name === paths[0]!.name ? '-' : (5 + 0.3 * shortAudio).toFixed(2),
      };
    }),
  );

  // Where the edge's CPU goes: each step is what the edge costs with it less what it costs without.
  const short = (name: string) => median(results.get(name)!.short);
  const long = (name: string) => median(results.get(name)!.long);
  const edgeName = paths[1]!.name;
  const perAudioSecond = (long(edgeName) - long(paths[0]!.name) - (short(edgeName) - short(paths[0]!.name))) / (longAudio - shortAudio);
  const account = short(edgeName) - short(paths[2]!.name);
  const logging = short(edgeName) - short(paths[3]!.name);
  const body = perAudioSecond * shortAudio;
  const total = short(edgeName) - short(paths[0]!.name);
  console.log(`\nWhere the edge's CPU goes, ms of the short request over the runtime floor (per-audio-second figure: the body's path)`);
  console.table([
    { step: "admission, progress, settlement, ledger row (the account's object and D1, their local simulators included)", ms: account.toFixed(2) },
    { step: 'logging: the request log line and the analytics point', ms: logging.toFixed(2) },
    { step: `the body's path: ${perAudioSecond.toFixed(3)} ms per second of audio x ${shortAudio.toFixed(1)} s`, ms: body.toFixed(2) },
    { step: 'the rest: authentication, reading and checking the request, resolution, routing, signing, the framework', ms: (total - account - logging - body).toFixed(2) },
    { step: 'total over the floor', ms: total.toFixed(2) },
    { step: `bound: 5 ms + 0.3 ms x ${shortAudio.toFixed(1)} s of audio`, ms: (5 + 0.3 * shortAudio).toFixed(2) },
  ]);
} finally {
  await full.started.dispose();
  await limitsOffEdge.started.dispose();
  await loggingOffEdge.started.dispose();
  await floor.started.dispose();
  await worker.stop();
}
