import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { decodeLongAudio } from './decode-audio.ts';
import { longText } from './fixtures/long-text.ts';
import { type EdgeHarness, settledBalance, startEdge } from './harness/edge.ts';
import { busyWorker, type GpuWorkerHarness, startGpuWorker } from './harness/gpu-worker.ts';
import { chunkIndexOf, createJob, followEvents, jobOutcome, storedChunkObjects, workerAttempts } from './harness/jobs.ts';
import { expectWellFormedWords, wordsOf } from './word-timestamps.ts';

// A worker SIGKILLed while a job runs on three: the job completes, every chunk stored once.
const TEXT = longText(15_000, 7);
const RATE = 24_000;

let workers: GpuWorkerHarness[] = [];
let edge: EdgeHarness;
let key: string;

beforeAll(async () => {
  workers = await Promise.all([0, 1, 2].map(() => startGpuWorker()));
  edge = await startEdge({ workerUrls: workers.map((w) => w.url), workerSecret: workers[0]!.secret });
  key = (await edge.createKey()).key;
});

afterAll(async () => {
  await edge?.dispose();
  await Promise.all(workers.map((w) => w.stop()));
});

it('completes with no chunk missing or doubled when a worker is killed mid-job', { timeout: 180_000 }, async () => {
  // A chunk the kill cut is continued on another worker (espeak's mp3 resumes byte-exact) or rendered again whole.
  const created = await createJob(edge, key, { input: TEXT, response_format: 'mp3' });
  // Once a chunk or two are done and others are on workers, the busiest worker dies.
  await followEvents(edge, key, created.id, (view) => view.progress.chunks_done >= 2 && view.progress.chunks_rendering >= 3);
  const victim = await busyWorker(workers);
  await victim.kill();
  const finished = await jobOutcome(edge, key, created.id);
  expect(finished.status, JSON.stringify(finished.error)).toBe('completed');
  expect(finished.progress.chunks_done).toBe(created.chunks);
  // The kill cut at least one chunk: it was tried again, or its stream resumed on another worker.
  const resumed = edge.logs.filter((line) => line.includes(created.id) && line.includes('stream resumed on another worker')).length;
  expect(finished.progress.retries + resumed).toBeGreaterThanOrEqual(1);

  // The killed worker had a chunk of this job on it, which another worker rendered again.
  const killedAttempts = new Set(workerAttempts(victim, created.id).map((attempt) => attempt.attempt));
  const survivors = workers.filter((worker) => worker !== victim).flatMap((worker) => workerAttempts(worker, created.id));
  expect(survivors.length).toBeGreaterThanOrEqual(created.chunks - killedAttempts.size);

  // One stored object per chunk, every chunk.
  const stored = await storedChunkObjects(edge, created.id);
  expect(stored.audio.map(chunkIndexOf)).toEqual(Array.from({ length: created.chunks }, (_, i) => i));
  expect(stored.words.map(chunkIndexOf)).toEqual(Array.from({ length: created.chunks }, (_, i) => i));

  // The file is whole: its length the job's audio, its words the text's, each once, in order.
  const file = new Uint8Array(await (await edge.fetch(`/v1/audio/jobs/${created.id}/audio`, { key })).arrayBuffer());
  const decodedMs = ((await decodeLongAudio(file, 'mp3', RATE)).length / RATE) * 1000;
  expect(Math.abs(decodedMs - finished.progress.audio_ms)).toBeLessThan(50);
  const { words } = (await (await edge.fetch(`/v1/audio/jobs/${created.id}/timestamps`, { key })).json()) as { words: WordTimestamp[] };
  expect(words.map((word) => word.word)).toEqual(wordsOf(TEXT));
  expectWellFormedWords(words, TEXT, decodedMs);

  // Charged once per chunk: the job's characters, no more (the attempts the kill cut charged nothing).
  expect(await settledBalance(edge, key)).toBe(1_000_000 - created.characters);
});
