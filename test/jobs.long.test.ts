import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { decodeAudio, decodeLongAudio } from './decode-audio.ts';
import { longText } from './fixtures/long-text.ts';
import { type EdgeHarness, startEdge } from './harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from './harness/gpu-worker.ts';
import { createJob, getJob, jobOutcome, type JobView, peakOverlap, storedChunkObjects, storedObject, workerAttempts } from './harness/jobs.ts';

// Issue 24's long job: 50,000 characters, in mp3 and in wav at once, on three real workers.
const RATE = 24_000;
const TEXT = longText(50_000);
const JOIN_TOLERANCE_MS = 50;
const GAP_LIMIT_MS = 300;
/** 10 ms windows quieter than this RMS are silence. */
const SILENCE_RMS = 0.01 * 32768;
const WINDOW = RATE / 100;

let workers: GpuWorkerHarness[] = [];
let edge: EdgeHarness;
let key: string;
const jobs: Partial<Record<'mp3' | 'wav', { created: JobView; finished: JobView; seen: Followed }>> = {};

/** What a follower read: when its first audio came and how far the job was then, and its bytes' length and digest (the whole would be 100 MB of wav). */
interface Followed {
  doneWhenFirstAudio: number;
  length: number;
  /** SHA-256 of the bytes after the first 44 (a wav header's): the rest must be the finished file's. */
  bodyDigest: string;
  head: Uint8Array;
}

const digestAfterHeader = (bytes: Uint8Array) => createHash('sha256').update(bytes.subarray(44)).digest('hex');

/** Reads the file of a running job from its first byte, noting when its first audio came and how far the job was then. */
async function follow(id: string): Promise<Followed> {
  const response = await edge.fetch(`/v1/audio/jobs/${id}/audio`, { key });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const hash = createHash('sha256');
  const head: number[] = [];
  let length = 0;
  let doneWhenFirstAudio = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // The first bytes past a wav header are audio; an mp3's first bytes are.
    const skip = Math.max(0, Math.min(value.byteLength, 44 - length));
    head.push(...value.subarray(0, skip));
    hash.update(value.subarray(skip));
    length += value.byteLength;
    if (doneWhenFirstAudio < 0 && length > 44) doneWhenFirstAudio = (await getJob(edge, key, id)).progress.fraction;
  }
  return { doneWhenFirstAudio, length, bodyDigest: hash.digest('hex'), head: new Uint8Array(head) };
}

beforeAll(async () => {
  workers = await Promise.all([0, 1, 2].map(() => startGpuWorker()));
  edge = await startEdge({ workerUrls: workers.map((w) => w.url), workerSecret: workers[0]!.secret });
  key = (await edge.createKey()).key;
  // Both jobs at once, each followed from its first byte while it renders.
  await Promise.all(
    (['mp3', 'wav'] as const).map(async (format) => {
      const created = await createJob(edge, key, { input: TEXT, response_format: format });
      const [finished, seen] = await Promise.all([jobOutcome(edge, key, created.id), follow(created.id)]);
      jobs[format] = { created, finished, seen };
    }),
  );
}, 600_000);

afterAll(async () => {
  await edge?.dispose();
  await Promise.all(workers.map((w) => w.stop()));
});

/** Silent runs of the decoded audio, as [first, last) 10 ms windows. */
function silentRuns(samples: Int16Array): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  const windows = Math.floor(samples.length / WINDOW);
  for (let w = 0; w <= windows; w++) {
    let energy = 0;
    for (let i = w * WINDOW; i < Math.min((w + 1) * WINDOW, samples.length); i++) energy += samples[i]! ** 2;
    const silent = w < windows && Math.sqrt(energy / WINDOW) < SILENCE_RMS;
    if (silent && start < 0) start = w;
    if (!silent && start >= 0) {
      runs.push([start, w]);
      start = -1;
    }
  }
  return runs;
}

describe.each(['mp3', 'wav'] as const)('a 50,000-character job in %s on three workers', (format) => {
  it('completes as one file whose decoded length is the sum of its chunks, within 50 ms a join', { timeout: 300_000 }, async () => {
    const { created, finished } = jobs[format]!;
    expect(finished.status).toBe('completed');
    expect(created.chunks).toBeGreaterThan(30);
    const stored = await storedChunkObjects(edge, created.id);
    expect(stored.audio).toHaveLength(created.chunks); // one stored object a chunk: none missing, none twice

    const file = new Uint8Array(await (await edge.fetch(`/v1/audio/jobs/${created.id}/audio`, { key })).arrayBuffer());
    const whole = await decodeLongAudio(file, format, RATE);
    const chunkLengths: number[] = [];
    // A wav job's chunks are bare PCM; an mp3 job's, frames that decode alone. Four decoders at a time.
    for (let i = 0; i < stored.audio.length; i += 4) {
      const batch = stored.audio.slice(i, i + 4).map(async (objectKey) => (await decodeAudio(await storedObject(edge, objectKey), format === 'wav' ? 'pcm' : format, RATE)).length);
      chunkLengths.push(...(await Promise.all(batch)));
    }
    const sumMs = (chunkLengths.reduce((a, b) => a + b, 0) / RATE) * 1000;
    const wholeMs = (whole.length / RATE) * 1000;
    expect(Math.abs(wholeMs - sumMs)).toBeLessThanOrEqual(JOIN_TOLERANCE_MS * (created.chunks - 1));
    expect(Math.abs(wholeMs - finished.progress.audio_ms)).toBeLessThanOrEqual(JOIN_TOLERANCE_MS);

    // At each join, the silence around it is no longer than the longest pause the engine makes
    // inside a chunk (between sentences, where the text calls for one) by more than 300 ms.
    const runs = silentRuns(whole);
    const joins: number[] = [];
    let at = 0;
    for (const length of chunkLengths.slice(0, -1)) joins.push(Math.floor((at += length) / WINDOW));
    const atJoin = (w: number) => runs.find(([a, b]) => a <= w && w <= b);
    const joinRuns = new Set(joins.map(atJoin).filter((run) => run !== undefined));
    const innerPauseMs = Math.max(...runs.filter((run) => !joinRuns.has(run)).map(([a, b]) => (b - a) * 10));
    const joinGapsMs = joins.map((w) => {
      const run = atJoin(w);
      return run ? (run[1] - run[0]) * 10 : 0;
    });
    expect(innerPauseMs).toBeGreaterThan(0);
    expect(Math.max(...joinGapsMs) - innerPauseMs, `join silences ${joinGapsMs.join(',')} ms; inner pauses up to ${innerPauseMs} ms`).toBeLessThanOrEqual(GAP_LIMIT_MS);
  });

  it('had at least 3 chunks on workers at once, spread over all three workers (the workers\' logs)', () => {
    const { created } = jobs[format]!;
    const perWorker = workers.map((worker) => workerAttempts(worker, created.id).filter((attempt) => attempt.message === 'synthesized'));
    for (const attempts of perWorker) expect(attempts.length).toBeGreaterThan(0);
    expect(peakOverlap(perWorker.flat())).toBeGreaterThanOrEqual(3);
  });

  it('could be played from its first byte while it rendered: first audio before 10% was done, the same bytes as the finished file', async () => {
    const { created, seen } = jobs[format]!;
    expect(seen.doneWhenFirstAudio).toBeGreaterThanOrEqual(0);
    expect(seen.doneWhenFirstAudio).toBeLessThan(0.1);
    const finished = new Uint8Array(await (await edge.fetch(`/v1/audio/jobs/${created.id}/audio`, { key })).arrayBuffer());
    expect(seen.length).toBe(finished.byteLength);
    expect(seen.bodyDigest).toBe(digestAfterHeader(finished));
    // The header of a wav whose length was unknown says so (the data size of a stream); an mp3 has none.
    if (format === 'mp3') expect(seen.head).toEqual(finished.subarray(0, 44));
  });
});
