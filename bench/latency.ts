/**
 * Time to first audio byte and total time, straight to a gpu-worker and through the edge
 * (workerd), over many requests, beside the runtime's floor (bench/runtime-floor.ts: a Worker that
 * only passes the request on, on the same local stack); then a concurrency sweep through the edge (1, 4, 16 requests in
 * flight, closed loop): time to first byte against the unloaded figure, and throughput in
 * seconds of audio per second. Runs its own worker and edge on loopback.
 *
 *   npm run bench -- [--requests 60] [--sweep-requests 160] [--levels 1,4,16] [--text "..."] [--format pcm]
 *   (--help: every option)
 *
 * The first part also times the ElevenLabs dialect (`POST /elevenlabs/v1/text-to-speech/{voice_id}/stream`)
 * on the same text against the OpenAI route, interleaved in the same run (issue 22: within 2 ms).
 *
 * Issue 23's bar (the second table, per run): the edge adds at most 25% and at most 5 ms to the
 * direct time to first byte at the p50; where the floor alone adds more, the floor plus 3 ms.
 *
 * `--requests 0` skips the first part (the sweep alone, for before/after runs). Issue 14's bar at 4
 * in flight: p50 within 2x of the unloaded p50, p99 within 4x (of the unloaded p99, and shown
 * against the unloaded p50 too), audio seconds per second no lower than before.
 */
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';
import { ELEVENLABS_OUTPUT_FORMATS, parseOutputFormat } from '../edge/dialects/elevenlabs/speech/output-format.ts';
import { FORMATS } from '../shared/audio/formats.ts';
import { WORKER_TIMINGS } from '../shared/protocol/worker-api.ts';
import { isResponseFormat, RESPONSE_FORMATS } from '../shared/schemas/speech.ts';
import { closedLoop } from './closed-loop.ts';
import { startRuntimeFloor } from './runtime-floor.ts';
import { benchArgs } from './options.ts';
import { percentile, type Sample, timed } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench --',
  summary: 'Time to first audio byte straight to a gpu-worker and through the edge, then a concurrency sweep through the edge.',
  options: {
    requests: { type: 'string', default: '60', smoke: '2', description: 'requests each way, direct and through the edge (0 skips to the sweep)' },
    'sweep-requests': { type: 'string', default: '160', smoke: '4', description: 'requests at each level of the sweep' },
    levels: { type: 'string', default: '1,4,16', smoke: '1,2', description: 'requests in flight at each level of the sweep, comma-separated' },
    warmups: { type: 'string', default: '5', smoke: '1', description: 'unmeasured requests each way first' },
    gap: {
      type: 'string',
      default: '25',
      smoke: '0',
      description:
        "pause before each request of the first part, ms: the previous request's settlement and ledger row (which production runs in the account's object, elsewhere) would otherwise share the thread with it",
    },
    runs: { type: 'string', default: '3', smoke: '1', description: 'runs of the first part (all paths interleaved in each); the median run is shown' },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog. It was not amused, and said so at length.', smoke: 'Hello there.', description: 'what each request says' },
    format: { type: 'string', default: 'pcm', description: `response format: ${RESPONSE_FORMATS.join(', ')}` },
  },
});
const requests = Number(values.requests);
const sweepRequests = Number(values['sweep-requests']);
const levels = values.levels.split(',').map(Number);
const text = values.text;
if (!isResponseFormat(values.format)) throw new Error(`--format: one of ${RESPONSE_FORMATS.join(', ')}`);
const format = values.format;
/** ElevenLabs' name for the same output (the format at its default rate and bitrate), if it has one. */
const outputFormat = ELEVENLABS_OUTPUT_FORMATS.find((name) => {
  const { response_format, sample_rate, bitrate } = parseOutputFormat(name);
  const rate = FORMATS[format].defaultSampleRate;
  return response_format === format && sample_rate === rate && (bitrate === undefined || bitrate === FORMATS[format].bitrate(rate));
});
/** Bytes per second of audio: exact for pcm, wav and G.711, the target bitrate for compressed formats. */
const bytesPerAudioSecond = FORMATS[format].bitrate(FORMATS[format].defaultSampleRate) / 8;

const worker = await startGpuWorker();
const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
const floor = await startRuntimeFloor(worker.url);
try {
  const { key } = await edge.createKey();
  const direct = () => signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input: text, response_format: format }) }).then((r) => r.response);
  // The same signed request through a Worker that only passes it on: what any Worker here adds.
  const viaFloor = () => signedWorkerFetch(floor.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input: text, response_format: format }) }).then((r) => r.response);
  const viaEdge = () =>
    edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: text, language: 'en', response_format: format }) });

  // The same request in ElevenLabs' dialect: the voice the OpenAI route defaults to, the same language.
  const viaDialect = () =>
    edge.fetch(`/elevenlabs/v1/text-to-speech/en-female/stream?output_format=${outputFormat}`, {
      method: 'POST',
      headers: { 'xi-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ text, language_code: 'en' }),
    });

  if (requests > 0) {
    // Warm every path (isolate start, catalog, thread caches), then interleave so drift hits all alike.
    for (let i = 0; i < Number(values.warmups); i++) {
      await timed(direct);
      await timed(viaFloor);
      await timed(viaEdge);
      if (outputFormat) await timed(viaDialect);
    }
    type Samples = Record<'direct' | 'floor' | 'edge' | 'dialect', Sample[]>;
    const gapMs = Number(values.gap);
    const spaced = async (send: () => Promise<Response>) => {
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      return timed(send);
    };
    const runOnce = async (): Promise<Samples> => {
      const run: Samples = { direct: [], floor: [], edge: [], dialect: [] };
      for (let i = 0; i < requests; i++) {
        run.direct.push(await spaced(direct));
        run.floor.push(await spaced(viaFloor));
        // The two routes take turns going first, so neither always follows the other paths.
        if (outputFormat && i % 2 === 1) run.dialect.push(await spaced(viaDialect));
        run.edge.push(await spaced(viaEdge));
        if (outputFormat && i % 2 === 0) run.dialect.push(await spaced(viaDialect));
      }
      return run;
    };
    const runs: Samples[] = [];
    for (let r = 0; r < Number(values.runs); r++) runs.push(await runOnce());
    const p50 = (list: Sample[]) => percentile(list.map((s) => s.firstByteMs), 50);
    // The run whose edge − direct difference is the median one: its figures are shown whole.
    const byAdded = runs.map((run) => ({ run, added: p50(run.edge) - p50(run.direct) })).sort((a, b) => a.added - b.added);
    const samples = byAdded[byAdded.length >> 1]!.run;

    const row = (name: string, list: Sample[]) => {
      const ttfb = list.map((s) => s.firstByteMs);
      const total = list.map((s) => s.totalMs);
      return { path: name, 'ttfb p50 ms': percentile(ttfb, 50).toFixed(1), 'ttfb p90 ms': percentile(ttfb, 90).toFixed(1), 'total p50 ms': percentile(total, 50).toFixed(1), 'total p90 ms': percentile(total, 90).toFixed(1) };
    };
    const ratio = (over: Sample[], metric: (s: Sample) => number, p: number) =>
      (percentile(over.map(metric), p) / percentile(samples.direct.map(metric), p)).toFixed(2);
    const ratios = (name: string, over: Sample[]) => ({
      path: name,
      'ttfb p50 ms': ratio(over, (s) => s.firstByteMs, 50),
      'ttfb p90 ms': ratio(over, (s) => s.firstByteMs, 90),
      'total p50 ms': ratio(over, (s) => s.totalMs, 50),
      'total p90 ms': ratio(over, (s) => s.totalMs, 90),
    });
    const audioSeconds = samples.direct[0]!.bytes / bytesPerAudioSecond;
    console.log(`${requests} requests each way a run, ${gapMs} ms apart, ${runs.length} runs (the median run shown), ${text.length} characters (${audioSeconds.toFixed(1)} s of audio), espeak, ${format}`);
    console.table([
      row('direct to worker', samples.direct),
      row('runtime floor (pass-through Worker)', samples.floor),
      row('through the edge', samples.edge),
      ratios('floor / direct', samples.floor),
      ratios('edge / direct', samples.edge),
    ]);
    // Issue 23's bar: edge/direct ttfb p50 at most 1.25 and at most 5 ms added; where the floor alone
    // is past that, the floor plus 3 ms.
    const added = (run: Samples) => ({ edge: p50(run.edge) - p50(run.direct), floor: p50(run.floor) - p50(run.direct), direct: p50(run.direct) });
    console.table(
      runs.map((run, i) => {
        const { edge: edgeAdded, floor: floorAdded, direct: directP50 } = added(run);
        const plainBound = Math.min(5, 0.25 * directP50);
        const bound = floorAdded > plainBound ? floorAdded + 3 : plainBound;
        return {
          run: i + 1,
          'direct p50 ms': directP50.toFixed(1),
          'floor adds ms': floorAdded.toFixed(1),
          'edge adds ms': edgeAdded.toFixed(1),
          'edge over floor ms': (edgeAdded - floorAdded).toFixed(1),
          'bound: edge adds at most ms': `${bound.toFixed(1)}${floorAdded > plainBound ? ' (floor + 3)' : ''}`,
          within: edgeAdded <= bound ? 'yes' : 'no',
        };
      }),
    );

    if (outputFormat) {
      const route = (name: string, list: Sample[]) => ({
        route: name,
        'ttfb p50 ms': percentile(list.map((s) => s.firstByteMs), 50).toFixed(2),
        'ttfb p90 ms': percentile(list.map((s) => s.firstByteMs), 90).toFixed(2),
        'total p50 ms': percentile(list.map((s) => s.totalMs), 50).toFixed(2),
        'admission p50 ms': percentile(list.map((s) => s.serverTiming.admission ?? NaN), 50).toFixed(2),
      });
      const difference = (metric: (s: Sample) => number, p: number) => (percentile(samples.dialect.map(metric), p) - percentile(samples.edge.map(metric), p)).toFixed(2);
      // Each dialect request beside the OpenAI request of the same round: the difference drift cannot make.
      const paired = samples.dialect.map((s, i) => s.firstByteMs - samples.edge[i]!.firstByteMs);
      console.log(`\nElevenLabs dialect against the OpenAI route: the same text, ${requests} requests each, interleaved (output_format ${outputFormat})`);
      console.table([
        route('OpenAI route (POST /v1/audio/speech)', samples.edge),
        route('ElevenLabs dialect (POST /elevenlabs/v1/text-to-speech/{voice_id}/stream)', samples.dialect),
        {
          route: 'dialect − OpenAI route',
          'ttfb p50 ms': difference((s) => s.firstByteMs, 50),
          'ttfb p90 ms': difference((s) => s.firstByteMs, 90),
          'total p50 ms': difference((s) => s.totalMs, 50),
          'admission p50 ms': difference((s) => s.serverTiming.admission ?? NaN, 50),
        },
      ]);
      console.log(`ttfb, dialect − OpenAI route in the same round: median ${percentile(paired, 50).toFixed(2)} ms, middle half ${percentile(paired, 25).toFixed(2)} to ${percentile(paired, 75).toFixed(2)} ms`);
    } else console.log(`\n(no ElevenLabs output_format is ${format} at its default rate and bitrate: the dialect is not timed)`);
  }

  // The sweep: does first audio stay fast while other streams are playing?
  const rows: Array<Record<string, string | number>> = [];
  let unloaded: { p50: number; p99: number } | undefined;
  for (const concurrency of levels) {
    await closedLoop({ total: concurrency * 2, concurrency, send: viaEdge }); // warm up at this level
    const errors = new Set<string>(); // why requests failed, each reason once
    const run = await closedLoop({ total: sweepRequests, concurrency, send: viaEdge, onOutcome: (outcome) => {
      if (!outcome.ok) errors.add(outcome.error.slice(0, 300));
    } });
    for (const error of errors) console.log(`${concurrency} in flight, failed: ${error}`);
    const ttfb = run.samples.map((s) => s.firstByteMs);
    const p50 = percentile(ttfb, 50);
    const p99 = percentile(ttfb, 99);
    unloaded ??= { p50, p99 };
    const audio = run.samples.reduce((sum, s) => sum + s.bytes, 0) / bytesPerAudioSecond;
    const timing = (name: string) => {
      const values = run.samples.flatMap((s) => s.serverTiming[name] ?? []);
      return values.length > 0 ? percentile(values, 50).toFixed(1) : '-';
    };
    rows.push({
      'in flight': concurrency,
      requests: sweepRequests,
      'ttfb p50 ms': p50.toFixed(1),
      'ttfb p99 ms': p99.toFixed(1),
      'p50 / unloaded p50': (p50 / unloaded.p50).toFixed(2),
      'p99 / unloaded p99': (p99 / unloaded.p99).toFixed(2),
      'p99 / unloaded p50': (p99 / unloaded.p50).toFixed(2),
      // Where the first byte's time went (p50s, Server-Timing): the edge's admission, the worker's arrival to first audio.
      'admission p50 ms': timing('admission'),
      'worker first audio p50 ms': timing(WORKER_TIMINGS.firstAudio),
      'total p50 ms': percentile(run.samples.map((s) => s.totalMs), 50).toFixed(1),
      'audio s / s': (audio / run.seconds).toFixed(1),
      failed: run.failed,
    });
  }
  console.log(`\nConcurrency sweep through the edge: closed loop, ${sweepRequests} requests a level after a warm-up, ${format}`);
  console.table(rows);
} finally {
  await floor.dispose();
  await edge.dispose();
  await worker.stop();
}
