import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { speak } from './clips.ts';
import { type EdgeHarness, startEdge } from './harness/edge.ts';
import { busyWorker, type GpuWorkerHarness, startGpuWorker, TEST_WORKER_SECRET } from './harness/gpu-worker.ts';

// Real workers that join by heartbeat (so the edge knows each one's time to first audio) behind
// the edge in workerd; a worker is frozen with SIGSTOP, its connections left open, as a hung GPU
// would leave them. The edge must judge it against its own figures, not a fixed 15 s.
const HEARTBEAT_MS = 2_000; // a frozen worker stays in the pool for three of these: the test meets it there
const LONG = Array.from({ length: 60 }, (_, i) => `Sentence ${i} goes on for a while so that the stream lasts.`).join(' ');

interface PoolWorker {
  url: string;
  circuit: string;
  circuit_failures: { consecutive: number; total: number };
  load: { active: number; queued: number; ttfa_ms: number | null };
}
const poolOf = async (edge: EdgeHarness) => ((await (await edge.admin('GET', '/admin/pool')).json()) as { data: PoolWorker[] }).data;
const served = (worker: GpuWorkerHarness) => worker.logs.filter((entry) => entry.message === 'synthesized');
/** The edge's JSON log lines with this message. */
const edgeLogs = (edge: EdgeHarness, message: string) =>
  edge.logs.filter((line) => line.startsWith('{') && line.includes(`"${message}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);

async function joinPool(edge: EdgeHarness, count: number, env: Record<string, string> = {}): Promise<GpuWorkerHarness[]> {
  const workers = await Promise.all(Array.from({ length: count }, () => startGpuWorker({ env: { EDGE_URL: edge.url, HEARTBEAT_MS: String(HEARTBEAT_MS), ...env } })));
  await vi.waitFor(async () => expect(await poolOf(edge)).toHaveLength(count), { timeout: 10_000 });
  return workers;
}

/** Until every worker has served and its heartbeat reports a time to first audio: the edge then judges each by its own. */
async function warm(edge: EdgeHarness, key: string, workers: GpuWorkerHarness[]): Promise<void> {
  for (let i = 0; i < 40 && workers.some((w) => served(w).length === 0); i++) {
    const response = await speak(edge, key, { input: `Warming up, ${i}.`, response_format: 'pcm' });
    await response.arrayBuffer();
    // Its log line comes after the answer: without waiting for it, a loaded machine sent more short
    // streams than needed, and their durations outvoted the long ones the overload test teaches the edge.
    const requestId = response.headers.get('x-request-id');
    await vi.waitFor(() => expect(workers.some((w) => served(w).some((entry) => entry.request_id === requestId))).toBe(true), { timeout: 10_000 });
  }
  await vi.waitFor(async () => expect((await poolOf(edge)).every((m) => m.load.ttfa_ms !== null && m.circuit === 'closed')).toBe(true), {
    timeout: HEARTBEAT_MS * 3,
    interval: 200,
  });
}

/** Reads a stream to its end; the longest wait for a chunk after `after` (ms). */
async function readTimed(reader: ReadableStreamDefaultReader<Uint8Array>, first: Uint8Array): Promise<{ bytes: Uint8Array; longestGapMs: number }> {
  const parts = [first];
  let longestGapMs = 0;
  for (let last = performance.now(); ; ) {
    const { done, value } = await reader.read();
    longestGapMs = Math.max(longestGapMs, performance.now() - last);
    last = performance.now();
    if (done) return { bytes: new Uint8Array(Buffer.concat(parts)), longestGapMs };
    parts.push(value);
  }
}

describe('a frozen worker (SIGSTOP): left at its own deadline, well within FIRST_BYTE_TIMEOUT_MS (15 s)', () => {
  let edge: EdgeHarness;
  let key: string;
  let workers: GpuWorkerHarness[] = [];
  beforeAll(async () => {
    edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: {} });
    ({ key } = await edge.createKey());
  });
  afterEach(async () => {
    for (const worker of workers) worker.thaw();
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
  });
  afterAll(async () => {
    await edge?.dispose();
  });

  it('before its first audio: the request goes to the other worker after the frozen one’s deadline, not 15 s', async () => {
    workers = await joinPool(edge, 2);
    await warm(edge, key, workers);
    const [frozen] = workers;
    frozen!.freeze();
    const stalls = () => edgeLogs(edge, 'worker stalled before first audio').filter((line) => line.worker === frozen!.url);
    // Requests are spread by load between the two: a batch of four meets the frozen one (each
    // request's draw is random, so a batch may miss it; up to three batches, within its heartbeats).
    const answers: Array<{ requestId: string; status: number; bytes: number; firstByteMs: number }> = [];
    for (let batch = 0; batch < 3 && stalls().length === 0; batch++) {
      answers.push(
        ...(await Promise.all(
          Array.from({ length: 4 }, async (_, i) => {
            const sent = performance.now();
            const response = await speak(edge, key, { input: `Around the frozen worker, ${batch} ${i}.`, response_format: 'pcm' });
            const firstByteMs = performance.now() - sent;
            return { requestId: response.headers.get('x-request-id')!, status: response.status, bytes: (await response.arrayBuffer()).byteLength, firstByteMs };
          }),
        )),
      );
    }
    expect(stalls().length).toBeGreaterThan(0);
    // Each stall counted against the frozen worker's circuit, as the pool shows it.
    const frozenInPool = (await poolOf(edge)).find((m) => m.url === frozen!.url)!;
    expect(frozenInPool.circuit_failures.total).toBeGreaterThanOrEqual(stalls().length);
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, bytes: expect.any(Number) });
    expect(answers.every((a) => a.bytes > 0)).toBe(true);
    for (const stall of stalls()) {
      // A fast worker's deadline: the floor (3 s), not FIRST_BYTE_TIMEOUT_MS.
      expect(stall.deadline_ms).toBeLessThanOrEqual(4_000);
      const answer = answers.find((a) => a.requestId === stall.request_id)!;
      expect(answer.firstByteMs).toBeGreaterThanOrEqual((stall.deadline_ms as number) - 100);
      expect(answer.firstByteMs).toBeLessThan((stall.deadline_ms as number) + 5_000);
      console.info(`left a worker frozen before first audio after ${Math.round(answer.firstByteMs)} ms to first byte (deadline ${stall.deadline_ms} ms)`);
    }
  });

  it.each(['pcm', 'wav'] as const)('mid-stream, %s: the stream goes on on the other worker to its full length, after the frozen one’s silence deadline', async (format) => {
    workers = await joinPool(edge, 2);
    await warm(edge, key, workers);
    const expected = (await (await speak(edge, key, { input: LONG, response_format: format })).arrayBuffer()).byteLength;

    const response = await speak(edge, key, { input: LONG, response_format: format });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    const first = (await reader.read()).value!;
    const frozen = await busyWorker(workers);
    frozen.freeze();
    const { bytes, longestGapMs } = await readTimed(reader, first);

    // The whole length, to the few samples by which espeak's takes differ, with one header.
    expect(Math.abs(bytes.byteLength - expected)).toBeLessThanOrEqual(32);
    if (format === 'wav') expect(Buffer.from(bytes.subarray(4)).indexOf('RIFF')).toBe(-1);
    const stall = edgeLogs(edge, 'worker stalled mid-stream').find((line) => line.request_id === requestId);
    expect(stall).toMatchObject({ worker: frozen.url });
    expect(stall!.deadline_ms).toBeLessThanOrEqual(6_000);
    expect(edgeLogs(edge, 'stream resumed on another worker').some((line) => line.request_id === requestId)).toBe(true);
    // The client waited about the deadline (plus the next worker's start), never 15 s.
    expect(longestGapMs).toBeLessThan((stall!.deadline_ms as number) + 5_000);
    console.info(`${format}: left a worker frozen mid-stream; longest wait for a chunk ${Math.round(longestGapMs)} ms (deadline ${stall!.deadline_ms} ms)`);
  });

  it('mid-stream, a format that cannot resume (Ogg Opus, as SSE): the events end with an error, as a dead worker’s do', async () => {
    workers = await joinPool(edge, 2);
    await warm(edge, key, workers);
    const response = await speak(edge, key, { input: LONG, response_format: 'opus', stream_format: 'sse' });
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('speech.audio.delta')) text += (await reader.read()).value ?? '';
    const frozen = await busyWorker(workers);
    frozen.freeze();
    const frozenAt = performance.now();
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += read.value;
    const endedAfterMs = performance.now() - frozenAt;

    const events = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => JSON.parse(block.slice(6)) as { type: string; error?: { code: string } });
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'worker_failed' } });
    const stall = edgeLogs(edge, 'worker stalled mid-stream').find((line) => line.request_id === requestId);
    expect(stall).toMatchObject({ worker: frozen.url });
    expect(endedAfterMs).toBeLessThan((stall!.deadline_ms as number) + 5_000);
  });

  it('a slow client is not a stalled worker: a pause twice the silence deadline, and the stream ends whole from the same worker', async () => {
    workers = await joinPool(edge, 2);
    await warm(edge, key, workers);
    const text = Array.from({ length: 12 }, (_, i) => `Sentence ${i} of a stream its listener pauses.`).join(' ');
    const expected = (await (await speak(edge, key, { input: text, response_format: 'pcm' })).arrayBuffer()).byteLength;
    const response = await speak(edge, key, { input: text, response_format: 'pcm' });
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    const first = (await reader.read()).value!;
    // A fast worker's silence deadline is 3 s + 2 s (see stall-deadline.ts): the client stops reading for 10 s.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const { bytes } = await readTimed(reader, first);

    expect(Math.abs(bytes.byteLength - expected)).toBeLessThanOrEqual(32);
    expect(edgeLogs(edge, 'worker stalled mid-stream').some((line) => line.request_id === requestId)).toBe(false);
    expect(edgeLogs(edge, 'stream resumed on another worker').some((line) => line.request_id === requestId)).toBe(false);
    expect(workers.filter((w) => served(w).some((entry) => entry.request_id === requestId))).toHaveLength(1);
  });
});

// One worker with one slot, whose slot a listener holds: a new request queues behind it. A
// fast worker's deadline (3 s) or FIRST_BYTE_TIMEOUT_MS (3 s here) would leave it, and count
// a failure against a healthy worker; its own figures (full, streams lasting seconds) give it time.
describe('an overloaded worker is not a dead one', () => {
  let edge: EdgeHarness;
  let key: string;
  let worker: GpuWorkerHarness;
  const HOLD_MS = 6_000;
  const HOLDING_TEXT = LONG.repeat(2).slice(0, 4_000);
  beforeAll(async () => {
    // No shedding here: the deployment lets requests queue.
    edge = await startEdge({ workerUrls: [], workerSecret: TEST_WORKER_SECRET, vars: { FIRST_BYTE_TIMEOUT_MS: '3000', FIRST_AUDIO_BUDGET_MS: '600000' } });
    ({ key } = await edge.createKey());
    worker = (await joinPool(edge, 1, { MAX_STREAMS: '1' }))[0]!;
  });
  afterAll(async () => {
    await edge?.dispose();
    await worker?.stop();
  });

  it('a request queued behind a held slot waits past a fast worker’s deadline and is served by it', async () => {
    await warm(edge, key, [worker]);
    // Streams that hold the slot: long ones whose listener pauses. The worker makes their audio
    // until the sockets' buffers are full (tens of MB on loopback: so, a quarter-speed reading at
    // 48 kHz, about 13 minutes and 78 MB), then waits for the listener.
    const holding = () => speak(edge, key, { input: HOLDING_TEXT, response_format: 'pcm', sample_rate: 48_000, speed: 0.25 });
    // One read to its end after a pause: the edge learns this worker's streams last seconds (the
    // median of its two, warm-up and this, is the longer).
    const paced = await holding();
    const pacedReader = paced.body!.getReader();
    await pacedReader.read();
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    while (!(await pacedReader.read()).done);

    // Another whose listener has stopped: a new request queues behind it.
    const held = await holding();
    expect(held.status).toBe(200);
    const heldReader = held.body!.getReader();
    await heldReader.read();
    const sent = performance.now();
    const queued = speak(edge, key, { input: 'Waiting my turn.', response_format: 'pcm' });
    await vi.waitFor(async () => expect(((await (await fetch(`${worker.url}/readyz`)).json()) as { queued: number }).queued).toBe(1), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    expect(((await (await fetch(`${worker.url}/readyz`)).json()) as { active: number; queued: number })).toMatchObject({ active: 1, queued: 1 });
    await heldReader.cancel();

    const response = await queued;
    const firstByteMs = performance.now() - sent;
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const requestId = response.headers.get('x-request-id')!;
    expect(firstByteMs).toBeGreaterThan(HOLD_MS);
    expect(Number((await worker.logLine('synthesized', requestId)).queue_ms)).toBeGreaterThan(HOLD_MS - 1_000);
    expect(edgeLogs(edge, 'worker stalled before first audio')).toEqual([]);
    expect((await poolOf(edge))[0]).toMatchObject({ circuit: 'closed' });
    console.info(`a queued request waited ${Math.round(firstByteMs)} ms for its first byte and was served`);
  });
});
