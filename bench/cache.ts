/**
 * What the audio cache saves (issue 26): the same 200-character mp3 request on espeak through a
 * local stack (workerd with its Cache API, R2 and D1, a real gpu-worker), first a miss, then hits.
 * For each of several texts: its miss, then `--hits` hits, each hit followed by the same text with
 * `cache: "off"` (a rendering, the baseline the hits are set against, in the same stretch of the
 * machine's noise). Each answer's `x-tts-cache` is checked, each hit's bytes against its miss's,
 * and the worker's `tts_requests_total` around each hit: a hit that reached a worker fails the bench.
 *
 * Edge CPU is the workerd process's (bench/workerd-cpu.ts) from a request's start until what it left
 * behind has landed: a miss's stored rendering (its index row); a hit leaves at most its count,
 * written once a minute. Waiting reads D1 through workerd too; that cost, measured first, is taken off. An upper bound on
 * the edge isolate's own CPU: the process also runs the account's object and the simulators.
 *
 * `--model qwen3-tiny` runs the same on a generated tiny Qwen3-TTS pack (the worker's real Qwen3 code
 * on a model small enough for this CPU), whose rendering takes longer to its first audio than
 * espeak's: the cache's share of a hit's time is the same, a miss's grows with the model.
 *
 *   npm run bench:cache -- [--texts 5] [--hits 20] [--model espeak|qwen3-tiny]   (--help: every option)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyPack } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { startEdge } from '../test/harness/edge.ts';
import { startGpuWorker } from '../test/harness/gpu-worker.ts';
import type { CacheStatus } from '../edge/cache/cache-status.ts';
import { benchArgs } from './options.ts';
import { percentile, type Sample, timed } from './timing.ts';
import { cpuMs, withPid } from './workerd-cpu.ts';

const { values } = benchArgs({
  command: 'npm run bench:cache --',
  summary: 'Time to first byte, total time and edge CPU of audio cache hits against misses and uncached renderings (mp3, 200 characters).',
  options: {
    texts: { type: 'string', default: '5', smoke: '2', description: 'distinct texts: each one miss, then its hits' },
    hits: { type: 'string', default: '20', smoke: '2', description: 'hits per text, each followed by the same text with cache "off"' },
    model: { type: 'string', default: 'espeak', smoke: 'espeak', description: 'espeak, or qwen3-tiny (a generated tiny Qwen3-TTS pack)' },
    warmups: { type: 'string', default: '3', smoke: '1', description: 'unmeasured requests of each kind first, on a text of their own' },
  },
});
const textCount = Number(values.texts);
const hitCount = Number(values.hits);

// 200 characters, two sentences; each text differs in its first words.
const BODY =
  'the support line of the open speech company. Your call matters to us, and the next free person will answer it in a moment; please stay on the line, or leave a message after the tone.';
const textOf = (n: number) => `Call ${n} for ${BODY}`.padEnd(200, '.').slice(0, 200);

/** `floor`: `GET /v1/models` with the same key, the edge's least for an authenticated answer (no admission, no audio): what a hit cannot go under. */
type Kind = 'miss' | 'hit' | 'off' | 'floor';
interface Measured {
  sample: Sample;
  cpuMs: number;
}

if (values.model !== 'espeak' && values.model !== 'qwen3-tiny') throw new Error(`--model: espeak or qwen3-tiny, not ${values.model}`);
const packDir = values.model === 'qwen3-tiny' ? await mkdtemp(join(tmpdir(), 'bench-cache-pack-')) : undefined;
// The tiny Base pack speaks with its default voice.
const model = packDir ? { id: (await writeTinyPack(packDir)).id, voice: undefined } : { id: 'espeak', voice: 'en-female' };
const worker = await startGpuWorker(packDir ? { args: ['--pack', packDir] } : {});
const { started: edge, pid } = await withPid(() => startEdge({ workerUrls: [worker.url], workerSecret: worker.secret, vars: { AUDIO_CACHE_MODE: 'on' } }));
try {
  const { key, account_id: accountId } = await edge.createKey({ credits: 100_000_000 });
  const db = await edge.mf.getD1Database('DB');
  const speak = (input: string, cache: 'auto' | 'off') => () =>
    edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: model.id, voice: model.voice, response_format: 'mp3', input, cache }),
    });

  /** Every synthesis the worker has ended (its `/metrics`). */
  const workerRequests = async () => {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    return [...text.matchAll(/^tts_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
  };

  /** The account's cache index: renderings stored. */
  const index = async () => {
    const row = await db.prepare('SELECT count(*) AS stored FROM audio_cache_entries WHERE scope = ?1').bind(accountId).first<{ stored: number }>();
    return row!;
  };
  /**
   * Waits until the index holds `stored` renderings: what a miss left behind (its stored rendering)
   * has landed. A hit leaves little (the edge writes an entry's hits at most once a minute).
   * Returns how many reads it took.
   */
  const settled = async (stored: number): Promise<number> => {
    const deadline = performance.now() + 15_000;
    for (let reads = 1; ; reads++) {
      const now = await index();
      if (now.stored === stored) return reads;
      if (now.stored > stored) throw new Error(`the cache index has ${now.stored} renderings; expected ${stored}`);
      if (performance.now() > deadline) throw new Error(`the cache index has ${now.stored} renderings after 15 s; expected ${stored}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  // What one read of the index costs workerd, to take off each request's CPU.
  const calibrationReads = 50;
  const calibrationStart = cpuMs(pid);
  for (let i = 0; i < calibrationReads; i++) await index();
  const readCpuMs = (cpuMs(pid) - calibrationStart) / calibrationReads;

  let stored = 0;
  /** One request, checked: its `x-tts-cache`, and its CPU until what it left behind has landed. */
  const measure = async (input: string, expected: CacheStatus): Promise<Measured> => {
    const before = cpuMs(pid);
    const sample = await timed(speak(input, expected === 'off' ? 'off' : 'auto'), { keepBody: true });
    const got = sample.headers.get('x-tts-cache');
    if (got !== expected) throw new Error(`expected x-tts-cache: ${expected} for "${input.slice(0, 30)}…", got ${got}`);
    if (expected === 'miss') stored++;
    const reads = await settled(stored);
    return { sample, cpuMs: cpuMs(pid) - before - reads * readCpuMs };
  };

  const measureFloor = async (): Promise<Measured> => {
    const before = cpuMs(pid);
    const sample = await timed(() => edge.fetch('/v1/models', { key }));
    return { sample, cpuMs: cpuMs(pid) - before };
  };

  const results: Record<Kind, Measured[]> = { miss: [], hit: [], off: [], floor: [] };
  const run = async (text: string, record: boolean) => {
    const rounds = record ? hitCount : Number(values.warmups);
    const keep = (kind: Kind, measured: Measured) => void (record && results[kind].push(measured));
    const miss = await measure(text, 'miss');
    keep('miss', miss);
    for (let i = 0; i < rounds; i++) {
      const requestsBefore = await workerRequests();
      const hit = await measure(text, 'hit');
      const requestsAfter = await workerRequests();
      if (requestsAfter !== requestsBefore) throw new Error(`a hit reached the worker: tts_requests_total went from ${requestsBefore} to ${requestsAfter}`);
      if (!Buffer.from(hit.sample.body!).equals(Buffer.from(miss.sample.body!))) {
        throw new Error(`a hit's body differs from its miss's: ${hit.sample.bytes} bytes against ${miss.sample.bytes}, for "${text.slice(0, 30)}…"`);
      }
      keep('hit', hit);
      keep('off', await measure(text, 'off'));
      keep('floor', await measureFloor());
    }
  };

  await run(textOf(0), false);
  for (let n = 1; n <= textCount; n++) await run(textOf(n), true);

  const ttfbP50 = (kind: Kind) => percentile(results[kind].map((m) => m.sample.firstByteMs), 50);
  console.log(
    `${model.id}, mp3, ${textOf(1).length} characters (${results.miss[0]!.sample.bytes} bytes of audio); ${textCount} texts, each a miss then ${hitCount} hits, each hit followed by the text with cache "off"; 1 in flight.` +
      `\nEdge CPU: the workerd process's until what the request left behind landed, less ${readCpuMs.toFixed(2)} ms per index read to find that out; counted in 10 ms ticks, so a sum over the row.`,
  );
  console.table(
    (['miss', 'hit', 'off', 'floor'] as const).map((kind) => {
      const list = results[kind];
      const ttfb = list.map((m) => m.sample.firstByteMs);
      return {
        request: kind === 'floor' ? 'floor: GET /v1/models' : kind,
        requests: list.length,
        'ttfb p50 ms': percentile(ttfb, 50).toFixed(1),
        'ttfb p90 ms': percentile(ttfb, 90).toFixed(1),
        'total p50 ms': percentile(list.map((m) => m.sample.totalMs), 50).toFixed(1),
        'edge CPU ms a request': (list.reduce((sum, m) => sum + m.cpuMs, 0) / list.length).toFixed(1),
        'ttfb p50 ÷ miss': (percentile(ttfb, 50) / ttfbP50('miss')).toFixed(2),
      };
    }),
  );
  const ratio = ttfbP50('hit') / ttfbP50('miss');
  console.log(`hit ttfb p50 ÷ miss ttfb p50 = ${ratio.toFixed(2)}: ${ratio <= 1 / 3 ? 'within' : 'NOT within'} the issue's bar of 1/3`);
  console.log(`a hit's ttfb p50 over the floor's (an authenticated answer with no audio): ${(ttfbP50('hit') - ttfbP50('floor')).toFixed(1)} ms`);
} finally {
  await edge.dispose();
  await worker.stop();
  if (packDir) await rm(packDir, { recursive: true, force: true });
}
