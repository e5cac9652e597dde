import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMED_AUDIO_CONTENT_TYPE, TimedAudioReader, type TimedAudioEnd, type WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import { WORKER_PATHS, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { quietStretches } from '../../test/audio-checks.ts';
import { s16leToFloat } from '../../shared/audio/pcm.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../../test/worker-client.ts';
import { writeTinyPack } from '../engines/qwen3/tiny-pack/generate.ts';

// Word timestamps over real HTTP: espeak's (exact) against a silence detector, and the tiny
// Qwen3-TTS pack's (estimated) whose seeded audio must be the plain response's, byte for byte.
let dir: string;
let worker: GpuWorkerHarness;
let tiny: Partial<WorkerSynthesisRequest>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiny-pack-'));
  const model = (await writeTinyPack(dir)).id;
  worker = await startGpuWorker({ args: ['--pack', dir] });
  tiny = { model, voice: 'default', seed: 5, input: 'Timed words, then the same bytes as plain audio.' };
});
afterAll(async () => {
  await worker?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function synthesize(overrides: Partial<WorkerSynthesisRequest>): Promise<Response> {
  const { response } = await signedWorkerFetch(worker.url, worker.secret, WORKER_PATHS.synthesize, { body: synthesisBody(overrides) });
  expect(response.status).toBe(200);
  return response;
}

/** A timed body split apart; `before` is how many audio bytes came before each words frame. */
async function timed(overrides: Partial<WorkerSynthesisRequest>) {
  const response = await synthesize({ ...overrides, timestamps: true });
  expect(response.headers.get('content-type')).toBe(TIMED_AUDIO_CONTENT_TYPE);
  const reader = new TimedAudioReader();
  const audio: Uint8Array[] = [];
  const words: Array<WordTimestamp & { before: number }> = [];
  const ends: TimedAudioEnd[] = [];
  let bytes = 0;
  for (const event of reader.push(new Uint8Array(await response.arrayBuffer()))) {
    expect(ends).toEqual([]); // the end is the last frame
    if (event.kind === 'audio') {
      audio.push(event.bytes);
      bytes += event.bytes.byteLength;
    } else if (event.kind === 'words') words.push(...event.words.map((word) => ({ ...word, before: bytes })));
    else ends.push(event.end);
  }
  expect(reader.atFrameBoundary).toBe(true);
  expect(ends).toHaveLength(1);
  return { audio: Buffer.concat(audio), words, end: ends[0]! };
}

const pcmMs = (bytes: number, rate: number) => (bytes / 2 / rate) * 1000;

function expectWellFormed(input: string, result: Awaited<ReturnType<typeof timed>>, rate: number) {
  for (const [i, word] of result.words.entries()) {
    expect([...input].slice(word.char_start, word.char_end).join('')).toBe(word.word);
    // Sent before (or with) the audio that holds its start: no audio past its start came first.
    expect(pcmMs(word.before, rate)).toBeLessThanOrEqual(word.start_ms + 1);
    expect(word.end_ms).toBeGreaterThanOrEqual(word.start_ms);
    expect(word.end_ms).toBeLessThanOrEqual(result.end.audio_ms + 1);
    if (i > 0) expect(word.start_ms).toBeGreaterThanOrEqual(result.words[i - 1]!.end_ms);
  }
  expect(result.end.audio_ms).toBeCloseTo(pcmMs(result.audio.byteLength, rate), 3);
}

/** Quiet stretches of 16-bit PCM (test/audio-checks.ts). */
const silences = (pcm: Buffer, rate: number, minMs = 80) => quietStretches(s16leToFloat(pcm), rate, minMs);

const TOLERANCE_MS = 50;

/**
 * Whether the words and the silences agree, within the tolerance: every silence lies between one
 * word's end and the next one's start (or before the first, after the last), and every pause the
 * words leave of 150 ms or more holds a silence that lasts until the next word starts.
 */
function agree(words: WordTimestamp[], quiet: Array<[number, number]>, audioMs: number): boolean {
  const pauses = [[0, words[0]!.start_ms], ...words.map((word, i) => [word.end_ms, words[i + 1]?.start_ms ?? audioMs])] as Array<[number, number]>;
  const inPause = ([from, to]: [number, number]) => pauses.some(([end, start]) => from >= end - TOLERANCE_MS && to <= start + TOLERANCE_MS);
  const heard = ([end, start]: [number, number]) => quiet.some(([from, to]) => from >= end - TOLERANCE_MS && Math.abs(to - start) <= TOLERANCE_MS);
  return quiet.every(inPause) && pauses.slice(1, -1).filter(([end, start]) => start - end >= 150).every(heard);
}

describe('timestamps: true', () => {
  it.each([1, 1.25])('espeak at speed %s: the pauses between words are where the audio is silent, at a resampled rate', async (speed) => {
    // Semicolons and colons: espeak pauses about 150 to 220 ms there (a sentence's end, spoken alone, only 70).
    const input = 'Sunny mornings; warm evenings: lemon and honey; yellow and blue.';
    const rate = 16_000;
    const result = await timed({ input, response_format: 'pcm', sample_rate: rate, speed });
    expect(result.end.alignment).toBe('exact');
    expect(result.words.map((word) => word.word)).toEqual(input.match(/\p{L}+/gu));
    expectWellFormed(input, result, rate);
    const quiet = silences(result.audio, rate);
    // The three pauses between words (leading and trailing silence aside).
    expect(quiet.filter(([from, to]) => from > 0 && to < result.end.audio_ms - 10).length).toBeGreaterThanOrEqual(3);
    expect(agree(result.words, quiet, result.end.audio_ms), JSON.stringify({ quiet, words: result.words })).toBe(true);
    // The check can fail: words 200 ms late, or early, do not agree with the same audio.
    for (const shift of [200, -200]) {
      const shifted = result.words.map((word) => ({ ...word, start_ms: Math.max(0, word.start_ms + shift), end_ms: Math.max(0, word.end_ms + shift) }));
      expect(agree(shifted, quiet, result.end.audio_ms)).toBe(false);
    }
  });

  it('espeak: the audio is as long as the plain response, and mixed-language segments follow on', async () => {
    const segments = [
      { text: 'Good morning. ', language: 'en' },
      { text: 'Guten Morgen, Welt.', language: 'de' },
    ];
    const request = { input: segments.map((s) => s.text).join(''), segments, response_format: 'pcm' as const };
    const [result, plain] = await Promise.all([timed(request), synthesize(request).then((r) => r.arrayBuffer())]);
    // espeak's takes differ by a few ms (its German more than its English): lengths within 10 ms.
    expect(Math.abs(pcmMs(result.audio.byteLength - plain.byteLength, 24_000))).toBeLessThanOrEqual(10);
    expect(result.words.map((word) => word.word)).toEqual(['Good', 'morning', 'Guten', 'Morgen', 'Welt']);
    expectWellFormed(request.input, result, 24_000);
    // The German starts after the English has been said.
    expect(result.words[2]!.start_ms).toBeGreaterThan(result.words[1]!.end_ms);
  });

  it('qwen3 tiny pack: the audio frames carry exactly the plain response bytes', async () => {
    for (const sample_rate of [24_000, 16_000]) {
      const request = { ...tiny, response_format: 'pcm' as const, sample_rate };
      const result = await timed(request);
      const plain = new Uint8Array(await (await synthesize(request)).arrayBuffer());
      expect(Buffer.compare(result.audio, plain)).toBe(0);
      expect(result.end.alignment).toBe('estimated');
      expect(result.words.map((word) => word.word)).toEqual(tiny.input!.match(/\p{L}+/gu));
      expectWellFormed(tiny.input!, result, sample_rate);
      // Estimated starts are whole codec frames (80 ms), in output time at any rate.
      for (const word of result.words) expect(word.start_ms % 80).toBe(0);
    }
  });

  it('resume_at_byte skips audio bytes only: the words and the end come again', async () => {
    const request = { ...tiny, response_format: 'wav' as const };
    const whole = await timed(request);
    const cut = Math.floor(whole.audio.byteLength / 2) | 1;
    const rest = await timed({ ...request, resume_at_byte: cut });
    expect(Buffer.compare(rest.audio, whole.audio.subarray(cut))).toBe(0);
    expect(rest.words.map(({ before: _b, ...word }) => word)).toEqual(whole.words.map(({ before: _b, ...word }) => word));
    expect(rest.end).toEqual(whole.end);
  });

  it('without timestamps the response is plain audio', async () => {
    const response = await synthesize({ ...tiny, response_format: 'wav' });
    expect(response.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
  });
});
