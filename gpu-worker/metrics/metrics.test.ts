import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../../test/worker-client.ts';
import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';

const LONG = Array.from({ length: 50 }, (_, i) => `Sentence ${i} is here to make the stream last a good while.`).join(' ');
const ESPEAK = { model: 'espeak' };
// The stream gauges count by priority; these tests send live requests.
const LIVE = { priority: 'live' };

let worker: GpuWorkerHarness;
beforeAll(async () => {
  // One slot and one queue place: a second stream waits, a third is refused.
  worker = await startGpuWorker({ env: { MAX_STREAMS: '1', MAX_QUEUED: '1' } });
});
afterAll(() => worker?.stop());

interface Scrape {
  families: MetricFamily[];
  text: string;
}

async function scrape(): Promise<Scrape> {
  const response = await fetch(`${worker.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
  const text = await response.text();
  return { families: parsePrometheusTextFormat(text), text };
}

const matches = (found: Record<string, string> | undefined, wanted: Record<string, string>) =>
  Object.entries(wanted).every(([key, value]) => found?.[key] === value);

/**
 * A histogram's count from the text itself: the parser merges a labelled histogram's series and
 * drops their labels and counts (yunyu/parse-prometheus-text-format#13).
 */
function histogramCount(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const [, series, labelText = '', value] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line) ?? [];
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, text]) => [key!, text!]));
    if (series === `${name}_count` && matches(found, labels)) return Number(value);
  }
  return 0;
}

/** A counter's or gauge's value, or a histogram's count, for the sample with these labels; 0 before any. */
function read({ families, text }: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = families.find((candidate) => candidate.name === name);
  if (family?.type === 'HISTOGRAM') return histogramCount(text, name, labels);
  return Number(family?.metrics.find((sample) => matches(sample.labels, labels))?.value ?? 0);
}

/** How much each of these series moved between two scrapes. */
const moved = (before: Scrape, after: Scrape, series: Record<string, [string, Record<string, string>]>) =>
  Object.fromEntries(Object.entries(series).map(([key, [name, labels]]) => [key, read(after, name, labels) - read(before, name, labels)]));

const OUTCOME_SERIES = {
  completed: ['tts_requests_total', { ...ESPEAK, outcome: 'completed' }],
  cancelled: ['tts_requests_total', { ...ESPEAK, outcome: 'cancelled' }],
  failed: ['tts_requests_total', { ...ESPEAK, outcome: 'failed' }],
  refused: ['tts_requests_total', { ...ESPEAK, outcome: 'refused' }],
  cancellations: ['tts_cancellations_total', ESPEAK],
  firstAudio: ['tts_time_to_first_audio_seconds', ESPEAK],
} satisfies Record<string, [string, Record<string, string>]>;

/** A signed synthesis request; `request_id` finds its log line. */
function synthesize(overrides: Partial<WorkerSynthesisRequest>, signal?: AbortSignal) {
  const request_id = `metrics-${crypto.randomUUID()}`;
  const sent = signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', {
    body: synthesisBody({ request_id, ...overrides }),
    ...(signal ? { signal } : {}),
  });
  return { request_id, response: sent.then(({ response }) => response) };
}

async function logged(message: string, requestId: string): Promise<Record<string, unknown>> {
  await expect.poll(() => worker.logs.some((entry) => entry.message === message && entry.request_id === requestId)).toBe(true);
  return worker.logs.find((entry) => entry.message === message && entry.request_id === requestId)!;
}

/** A long stream with its first audio read, and the means to cut it. */
async function openStream() {
  const abort = new AbortController();
  const { request_id, response } = synthesize({ input: LONG }, abort.signal);
  const reader = (await response).body!.getReader();
  await reader.read();
  return { request_id, cut: () => abort.abort() };
}

describe('GET /metrics', () => {
  it('answers unsigned, in the Prometheus text format, with every tts_ metric and the process defaults', async () => {
    const names = (await scrape()).families.map((family) => family.name);
    for (const name of ['tts_requests_total', 'tts_audio_seconds_total', 'tts_cancellations_total', 'tts_pack_load_seconds', 'tts_queue_depth', 'tts_active_streams']) {
      expect(names).toContain(name);
    }
    expect(names).toContain('process_cpu_user_seconds_total');
    expect(read(await scrape(), 'tts_pack_load_seconds', ESPEAK)).toBeGreaterThan(0);
  });

  it('counts a completed, a cancelled and a refused request, each as what it was', async () => {
    const before = await scrape();

    const completed = synthesize({ input: 'One whole sentence.' });
    await (await completed.response).arrayBuffer();
    const whole = await logged('synthesized', completed.request_id);

    const open = await openStream();
    const during = await scrape();
    expect(read(during, 'tts_active_streams', LIVE)).toBe(1);
    expect(read(during, 'tts_queue_depth', LIVE)).toBe(0);
    open.cut();
    const cut = await logged('synthesis cancelled', open.request_id);

    const refused = await synthesize({ voice: 'nobody' }).response;
    expect(refused.status).toBe(404);

    const after = await scrape();
    expect(moved(before, after, OUTCOME_SERIES)).toEqual({ completed: 1, cancelled: 1, failed: 0, refused: 1, cancellations: 1, firstAudio: 2 });
    expect(moved(before, after, { rtf: ['tts_real_time_factor', ESPEAK] })).toEqual({ rtf: 1 });
    // Each chunk the engine made, in the stream that finished and in the one cut short.
    expect(moved(before, after, { steps: ['tts_engine_step_seconds', ESPEAK] })).toEqual({ steps: Number(whole.engine_steps) + Number(cut.engine_steps) });
    // Counted as it streams: the cut stream's audio too (the logs round to the millisecond).
    const audio = moved(before, after, { seconds: ['tts_audio_seconds_total', ESPEAK] }).seconds!;
    expect(audio).toBeGreaterThan(0);
    expect(audio).toBeCloseTo((Number(whole.audio_ms) + Number(cut.audio_ms)) / 1000, 2);
    await expect.poll(async () => read(await scrape(), 'tts_active_streams', LIVE)).toBe(0);
  });

  it('shows a stream waiting for the slot, counts it cancelled if it gives up, and a busy 503 as refused', async () => {
    const open = await openStream();
    const waiting = new AbortController();
    const queued = synthesize({ input: 'Waiting my turn.' }, waiting.signal);
    queued.response.catch(() => {}); // it is aborted below
    await expect.poll(async () => read(await scrape(), 'tts_queue_depth', LIVE)).toBe(1);

    const before = await scrape();
    expect(read(before, 'tts_active_streams', LIVE)).toBe(1);
    const busy = await synthesize({}).response;
    expect(busy.status).toBe(503);
    waiting.abort();
    await logged('synthesis cancelled', queued.request_id);
    open.cut();
    await logged('synthesis cancelled', open.request_id);

    const after = await scrape();
    // The queued one never reached first audio; the open one had it before `before`.
    expect(moved(before, after, OUTCOME_SERIES)).toEqual({ completed: 0, cancelled: 2, failed: 0, refused: 1, cancellations: 2, firstAudio: 0 });
    await expect.poll(async () => [read(await scrape(), 'tts_queue_depth', LIVE), read(await scrape(), 'tts_active_streams', LIVE)]).toEqual([0, 0]);
  });

  it('labels a model the worker does not serve "unknown", not with the name it was sent', async () => {
    const refused = await synthesize({ model: 'no-such-model' }).response;
    expect(refused.status).toBe(404);
    const after = await scrape();
    expect(read(after, 'tts_requests_total', { model: 'unknown', outcome: 'refused' })).toBe(1);
    const models = after.families.flatMap((family) => family.metrics.map((sample) => sample.labels?.model)).filter(Boolean);
    expect(models).not.toContain('no-such-model');
  });
});
