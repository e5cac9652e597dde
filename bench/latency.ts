/**
 * Time to first audio byte and total time, straight to a gpu-worker and through the edge
 * (workerd), over many requests. Runs its own worker and edge on loopback.
 *
 *   npm run bench -- [--requests 60] [--text "..."] [--format pcm]
 */
import { parseArgs } from 'node:util';
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../test/worker-client.ts';
import { isResponseFormat, RESPONSE_FORMATS } from '../shared/schemas/speech.ts';
import { percentile, type Sample, timed } from './timing.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '60' },
    text: { type: 'string', default: 'The quick brown fox jumps over the lazy dog. It was not amused, and said so at length.' },
    format: { type: 'string', default: 'pcm' },
  },
});
const requests = Number(values.requests);
const text = values.text!;
if (!isResponseFormat(values.format!)) throw new Error(`--format: one of ${RESPONSE_FORMATS.join(', ')}`);
const format = values.format;

const worker = await startGpuWorker();
const edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
try {
  const { key } = await edge.createKey();
  const direct = () => signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody({ input: text, response_format: format }) }).then((r) => r.response);
  const viaEdge = () =>
    edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: text, language: 'en', response_format: format }) });

  // Warm both paths (isolate start, catalog, thread caches), then interleave so drift hits both alike.
  for (let i = 0; i < 5; i++) {
    await timed(direct);
    await timed(viaEdge);
  }
  const samples: Record<'direct' | 'edge', Sample[]> = { direct: [], edge: [] };
  for (let i = 0; i < requests; i++) {
    samples.direct.push(await timed(direct));
    samples.edge.push(await timed(viaEdge));
  }

  const row = (name: string, list: Sample[]) => {
    const ttfb = list.map((s) => s.firstByteMs);
    const total = list.map((s) => s.totalMs);
    return { path: name, 'ttfb p50 ms': percentile(ttfb, 50).toFixed(1), 'ttfb p90 ms': percentile(ttfb, 90).toFixed(1), 'total p50 ms': percentile(total, 50).toFixed(1), 'total p90 ms': percentile(total, 90).toFixed(1) };
  };
  const ratio = (metric: (s: Sample) => number, p: number) =>
    (percentile(samples.edge.map(metric), p) / percentile(samples.direct.map(metric), p)).toFixed(2);
  const audioSeconds = samples.direct[0]!.bytes / 48_000;
  console.log(`${requests} requests each way, ${text.length} characters (${audioSeconds.toFixed(1)} s of audio), espeak, pcm`);
  console.table([
    row('direct to worker', samples.direct),
    row('through the edge', samples.edge),
    { path: 'edge / direct', 'ttfb p50 ms': ratio((s) => s.firstByteMs, 50), 'ttfb p90 ms': ratio((s) => s.firstByteMs, 90), 'total p50 ms': ratio((s) => s.totalMs, 50), 'total p90 ms': ratio((s) => s.totalMs, 90) },
  ]);
} finally {
  await edge.dispose();
  await worker.stop();
}
