import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPack } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { UNKNOWN_LENGTH } from '../shared/audio/wav.ts';
import { decodeWav, readTimed } from './audio-checks.ts';
import { readSseEvents } from './sse-events.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

// A generated tiny Qwen3-TTS pack, served by a real worker through the edge, as `npm start -- --pack` does.
let dir: string;
let stack: StackHarness;
let modelId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tiny-pack-'));
  modelId = (await writeTinyPack(dir)).id;
  stack = await startStack({ workerArgs: ['--pack', dir] });
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a Qwen3-TTS pack through the edge', () => {
  it('appears in GET /v1/models beside espeak, without Arabic', async () => {
    const { data } = (await (await stack.edge.fetch('/v1/models', { key: stack.key })).json()) as { data: Array<{ id: string; engine: string; languages: string[]; version: string }> };
    const qwen = data.find((model) => model.id === modelId);
    expect(qwen).toMatchObject({ engine: 'qwen3-tts' });
    expect(qwen!.languages).not.toContain('ar');
    expect(data.map((model) => model.id)).toContain('espeak');
    // Each with the version its worker reports (gpu-worker/model-version.test.ts says what it is made of).
    expect(qwen!.version).toMatch(/^pack:[0-9a-f]{12}\+worker@/);
    expect(data.find((model) => model.id === 'espeak')!.version).toMatch(/^espeak-ng@.+\+worker@/);
  });

  it('streams a valid WAV of whole 80 ms codec frames at 24 kHz', async () => {
    const started = performance.now();
    const response = await stack.edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelId, input: 'Hello from the tiny pack, one frame at a time.', response_format: 'wav', seed: 3 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tts-model')).toBe(modelId);
    const { bytes, arrivals } = await readTimed(response, started);
    const { header, samples, dataBytes } = decodeWav(bytes);
    expect(header).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16, dataBytes: UNKNOWN_LENGTH });
    expect(dataBytes % 2).toBe(0);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.length % 1_920).toBe(0);
    // The codec stream sends its first frames before the rest: more than one chunk arrives.
    expect(arrivals.length).toBeGreaterThan(1);
  });

  it('SSE carries the very audio of the raw stream for the same seed, then usage and timings', async () => {
    const body = { model: modelId, input: 'The same seed says the same thing twice.', response_format: 'mp3', seed: 5 };
    const speak = (extra: Record<string, unknown>) =>
      stack.edge.fetch('/v1/audio/speech', { method: 'POST', key: stack.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, ...extra }) });
    const raw = new Uint8Array(await (await speak({})).arrayBuffer());
    const events = await readSseEvents(await speak({ stream_format: 'sse' }), performance.now());
    const audio = Buffer.concat(events.filter((e) => e.data.type === 'speech.audio.delta').map((e) => Buffer.from(e.data.audio as string, 'base64')));
    expect(raw.byteLength).toBeGreaterThan(1000);
    expect(Buffer.compare(audio, raw)).toBe(0);
    expect(events.at(-1)!.data).toMatchObject({
      type: 'speech.audio.done',
      usage: { input_tokens: body.input.length, output_tokens: raw.byteLength },
      timings: { admission_ms: expect.any(Number), queue_ms: expect.any(Number), first_audio_ms: expect.any(Number) },
    });
  });

  it('answers 422 for Arabic, naming espeak as a model that speaks it', async () => {
    const response = await stack.edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelId, input: 'مرحبا', language: 'ar' }),
    });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('unsupported_language');
    expect(error.message).toContain('espeak');
  });

  it('says a phoneme stretch as its text and reports it (header and SSE done event); pauses and aliases it honours', async () => {
    const input = '<speak>A <phoneme alphabet="ipa" ph="ˈblɪkɪt">blicket</phoneme> and <sub alias="sequel">SQL</sub>.<break time="400ms"/><emphasis>Done</emphasis>.</speak>';
    const post = (body: Record<string, unknown>) =>
      stack.edge.fetch('/v1/audio/speech', {
        method: 'POST',
        key: stack.key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: modelId, input, language: 'en', seed: 3, ...body }),
      });
    const blicket = [...input.slice(0, input.indexOf('blicket'))].length;
    const done = [...input.slice(0, input.indexOf('Done'))].length;
    const audio = await post({ response_format: 'wav' });
    expect(audio.status, await audio.clone().text()).toBe(200);
    expect(audio.headers.get('x-tts-not-honored')).toBe(`phoneme ${blicket}-${blicket + 7}, emphasis ${done}-${done + 4}`);
    const samples = decodeWav(new Uint8Array(await audio.arrayBuffer())).samples;
    expect(samples.length).toBeGreaterThan(0.4 * 24_000); // the pause alone is 400 ms

    const sse = await post({ response_format: 'pcm', stream_format: 'sse' });
    const events = await readSseEvents(sse, performance.now());
    expect(events.at(-1)!.data).toMatchObject({
      type: 'speech.audio.done',
      not_honored: [
        { kind: 'phoneme', char_start: blicket, char_end: blicket + 7, text: 'blicket' },
        { kind: 'emphasis', char_start: done, char_end: done + 4, text: 'Done' },
      ],
    });
  });
});

