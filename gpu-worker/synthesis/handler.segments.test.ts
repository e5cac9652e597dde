import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimedAudioReader, type TimedAudioEnd, type WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import { type SpeechSegment, WORKER_PATHS, type WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { quietStretches } from '../../test/audio-checks.ts';
import { decodeAudio } from '../../test/decode-audio.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../../test/worker-client.ts';
import { writeTinyPack } from '../engines/qwen3/tiny-pack/generate.ts';

// Segments from SSML and pronunciation dictionaries over real HTTP: pauses the worker makes,
// replaced runs reported as the input they stand for, phonemes, and refusals for a model without them.
let dir: string;
let worker: GpuWorkerHarness;
let tinyModel: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiny-pack-'));
  tinyModel = (await writeTinyPack(dir)).id;
  worker = await startGpuWorker({ args: ['--pack', dir] });
});
afterAll(async () => {
  await worker?.stop();
  await rm(dir, { recursive: true, force: true });
});

const RATE = 24_000;

async function post(overrides: Partial<WorkerSynthesisRequest>): Promise<Response> {
  return (await signedWorkerFetch(worker.url, worker.secret, WORKER_PATHS.synthesize, { body: synthesisBody(overrides) })).response;
}

/** A timed PCM response: its samples as a decoder hears them, its words (and the audio bytes before each), its end. */
async function timed(overrides: Partial<WorkerSynthesisRequest>) {
  const response = await post({ response_format: 'pcm', sample_rate: RATE, timestamps: true, ...overrides });
  expect(response.status).toBe(200);
  const audio: Uint8Array[] = [];
  const words: Array<WordTimestamp & { before: number }> = [];
  let end: TimedAudioEnd | undefined;
  let bytes = 0;
  for (const event of new TimedAudioReader().push(new Uint8Array(await response.arrayBuffer()))) {
    if (event.kind === 'audio') {
      audio.push(event.bytes);
      bytes += event.bytes.byteLength;
    } else if (event.kind === 'words') words.push(...event.words.map((word) => ({ ...word, before: bytes })));
    else end = event.end;
  }
  const samples = await decodeAudio(Buffer.concat(audio), 'pcm', RATE);
  return { samples, words, end: end! };
}

const silences = (samples: Float32Array, minMs: number) => quietStretches(samples, RATE, minMs);

function expectWellFormed(input: string, result: Awaited<ReturnType<typeof timed>>) {
  for (const [i, word] of result.words.entries()) {
    expect([...input].slice(word.char_start, word.char_end).join('')).toBe(word.word);
    // Sent before (or with) the audio that holds its start.
    expect((word.before / 2 / RATE) * 1000).toBeLessThanOrEqual(word.start_ms + 1);
    expect(word.end_ms).toBeGreaterThanOrEqual(word.start_ms);
    if (i > 0) expect(word.start_ms).toBeGreaterThanOrEqual(result.words[i - 1]!.end_ms);
  }
}

/** Code point offset of `part` in `text`. */
const at = (text: string, part: string) => [...text.slice(0, text.indexOf(part))].length;

describe('segments over HTTP', () => {
  it.each([
    ['Hello', 1000, 'world'],
    ['It was late.', 250, 'Then we left!'],
    ['Wait', 2500, 'now.'],
  ])('%s <break time="%ims"/> %s: the pause is the time from the last sound before it to the first after', async (before, pauseMs, after) => {
    const input = `${before} <break time="${pauseMs}ms"/> ${after}`;
    const segments: SpeechSegment[] = [
      { text: before, language: 'en', source: [{ length: [...before].length, input_start: 0 }] },
      { pause_ms: pauseMs },
      { text: after, language: 'en', source: [{ length: [...after].length, input_start: at(input, after) }] },
    ];
    const result = await timed({ input, segments });
    expectWellFormed(input, result);
    expect(result.words.map((word) => word.word)).toEqual([...`${before} ${after}`.matchAll(/\p{L}+/gu)].map(([word]) => word));
    // The longest silence in the stream is the pause (espeak's own pauses between words are shorter).
    const gaps = silences(result.samples, 200).filter(([from, to]) => from > 0 && to < result.end.audio_ms - 10);
    expect(gaps, JSON.stringify(gaps)).toHaveLength(1);
    const [from, to] = gaps[0]!;
    expect(Math.abs(to - from - pauseMs)).toBeLessThanOrEqual(30);
    // The pause shows between the words' times.
    const last = result.words.findLastIndex((word) => word.char_end <= [...before].length);
    expect(result.words[last + 1]!.start_ms - result.words[last]!.end_ms).toBeGreaterThanOrEqual(pauseMs - 20);
  });

  it('says pauses, replaced runs and phonemes in one stream, words pointing into the SSML sent', async () => {
    const input = '<speak>Dr. Smith says <phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme><break time="400ms"/> twice.</speak>';
    const segments: SpeechSegment[] = [
      {
        text: 'Doctor Smith says tomato',
        language: 'en',
        source: [
          { length: 6, input_start: at(input, 'Dr.'), replaces: 3 },
          { length: 12, input_start: at(input, ' Smith') },
          { length: 6, input_start: at(input, '<phoneme'), replaces: at(input, '<break') - at(input, '<phoneme'), ipa: 'təˈmɑːtoʊ' },
        ],
      },
      { pause_ms: 400 },
      { text: 'twice.', language: 'en', rate: 0.8, source: [{ length: 6, input_start: at(input, 'twice') }] },
    ];
    const requestId = `segments-${crypto.randomUUID()}`;
    const result = await timed({ request_id: requestId, input, segments });
    expectWellFormed(input, result);
    expect(result.words.map((word) => word.word)).toEqual(['Dr.', 'Smith', 'says', '<phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme>', 'twice']);
    const pause = result.words[4]!.start_ms - result.words[3]!.end_ms;
    expect(pause).toBeGreaterThanOrEqual(380);
    expect(pause).toBeLessThanOrEqual(460);
    expect(result.end.audio_ms).toBeCloseTo((result.samples.length / RATE) * 1000, 0);
    // The worker logs the languages of the text segments and the count of pauses.
    expect(await worker.logLine('synthesized', requestId)).toMatchObject({ languages: ['en', 'en'], pauses: 1 });
  });

  it('refuses phonemes and emphasis for a model without them, naming segments', async () => {
    for (const segment of [
      { text: 'tomato', language: 'en', source: [{ length: 6, input_start: 0, ipa: 'təˈmɑːtoʊ' }] },
      { text: 'tomato', language: 'en', emphasis: true },
    ]) {
      const response = await post({ model: tinyModel, voice: 'default', input: 'tomato', segments: [segment] });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_parameter', param: 'segments' } });
    }
  });

  it('makes a pause of the same length with any engine', async () => {
    const input = 'one, two';
    const segments: SpeechSegment[] = [{ text: 'one', language: 'en' }, { pause_ms: 700 }, { text: ', two', language: 'en' }];
    const response = await post({ model: tinyModel, voice: 'default', seed: 3, input, segments, response_format: 'pcm', sample_rate: RATE });
    expect(response.status).toBe(200);
    const withPause = await decodeAudio(new Uint8Array(await response.arrayBuffer()), 'pcm', RATE);
    const plain = await post({ model: tinyModel, voice: 'default', seed: 3, input, segments: [{ text: 'one', language: 'en' }, { text: ', two', language: 'en' }], response_format: 'pcm', sample_rate: RATE });
    const without = await decodeAudio(new Uint8Array(await plain.arrayBuffer()), 'pcm', RATE);
    // 700 ms more, less the quiet the cut took from the speech around the pause.
    expect(withPause.length - without.length).toBeLessThanOrEqual(0.7 * RATE);
    expect(withPause.length - without.length).toBeGreaterThan(0.4 * RATE);
  });
});
