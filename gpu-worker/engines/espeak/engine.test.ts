import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineChunk, SynthesisRequest } from '../types.ts';
import { EspeakEngine } from './engine.ts';

let engine: EspeakEngine;
beforeAll(async () => {
  engine = await EspeakEngine.load({ threads: 2 });
});
afterAll(() => engine?.close());

const request = (overrides: Partial<SynthesisRequest> = {}): SynthesisRequest => ({
  requestId: 'test',
  text: 'One sentence. Another sentence. A third sentence.',
  voice: { kind: 'preset', id: 'en-female' },
  language: 'en',
  speed: 1,
  ...overrides,
});

async function collect(iterable: AsyncIterable<EngineChunk>): Promise<Float32Array[]> {
  const chunks: Float32Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk.audio);
  return chunks;
}

const samplesOf = async (overrides: Partial<SynthesisRequest>, on = engine) => {
  const chunks = await collect(on.synthesize(request(overrides), new AbortController().signal));
  return Float32Array.from(chunks.flatMap((chunk) => [...chunk]));
};

describe('espeak engine', () => {
  it('repeats itself exactly: the same request is the same samples on any thread, whatever was spoken before, in another engine too', async () => {
    const text = 'Fish, ships and seas. The quick brown fox jumps over the lazy dog.';
    const first = await samplesOf({ text });
    // Other voices, languages and rates in between, on both threads.
    await Promise.all([samplesOf({ text: 'Guten Tag, wie geht es dir?', language: 'de', voice: { kind: 'preset', id: 'de-male' } }), samplesOf({ text: 'Bonjour.', language: 'fr', speed: 1.7 })]);
    const again = await samplesOf({ text });
    expect(again.length).toBe(first.length);
    expect(Buffer.from(again.buffer).equals(Buffer.from(first.buffer))).toBe(true);
    // A second engine has its own threads and espeak instances, started at another time.
    const other = await EspeakEngine.load({ threads: 1 });
    try {
      const elsewhere = await samplesOf({ text }, other);
      expect(Buffer.from(elsewhere.buffer).equals(Buffer.from(first.buffer))).toBe(true);
    } finally {
      await other.close();
    }
    // Sentences longer than the wrapper's first string buffer (128 bytes) too: every take alike,
    // and none garbled (a buffer allocated after the memory copy would be overwritten, words lost).
    const long = Array.from({ length: 3 }, (_, i) => `Sentence ${i} runs on, though it has a comma or two, and the traveller from the north had a theory about it that took a while to tell.`).join(' ');
    const takes = [await samplesOf({ text: long }), await samplesOf({ text: long }), await samplesOf({ text: long })];
    for (const take of takes.slice(1)) expect(Buffer.from(take.buffer).equals(Buffer.from(takes[0]!.buffer))).toBe(true);
    expect(takes[0]!.length / engine.info.sample_rate).toBeGreaterThan(18);
    // Still speech, and another text is other samples.
    const different = await samplesOf({ text: 'Fish, ships and seas. The quick brown fox jumps over the lazy cat.' });
    expect(Buffer.from(different.buffer).equals(Buffer.from(first.buffer))).toBe(false);
  });

  it('declares every product language and a male and female preset in each', () => {
    expect(engine.info.languages).toHaveLength(11);
    expect(engine.info.sample_rate).toBe(22_050);
    for (const language of engine.info.languages) {
      const genders = engine.info.voices.filter((voice) => voice.language === language).map((voice) => voice.gender);
      expect(genders).toEqual(expect.arrayContaining(['male', 'female']));
    }
  });

  it('yields audio in many chunks, not one block per request', async () => {
    const chunks = await collect(engine.synthesize(request(), new AbortController().signal));
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((chunk) => chunk.every((sample) => sample >= -1 && sample <= 1))).toBe(true);
  });

  it('stops within one chunk of cancellation', async () => {
    const abort = new AbortController();
    let after = 0;
    for await (const _chunk of engine.synthesize(request({ text: 'Long text. '.repeat(50) }), abort.signal)) {
      if (abort.signal.aborted) after++;
      else abort.abort();
    }
    expect(after).toBe(0);
  });

  it('frees its thread when the consumer stops early, so later requests still run', async () => {
    for (let i = 0; i < 4; i++) {
      for await (const _chunk of engine.synthesize(request(), new AbortController().signal)) break;
    }
    const chunks = await collect(engine.synthesize(request({ text: 'Still working.' }), new AbortController().signal));
    expect(chunks.length).toBeGreaterThan(0);
  });

  it('serves more concurrent requests than it has threads', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => collect(engine.synthesize(request({ text: `Request number ${i}. It has two sentences.` }), new AbortController().signal))),
    );
    for (const chunks of results) expect(chunks.reduce((n, c) => n + c.length, 0)).toBeGreaterThan(22_050 * 0.5);
  });

  it('finds the espeak voice of every preset (one espeak lacks would fail the job, not speak with the last voice)', async () => {
    for (const preset of engine.info.voices) {
      const chunks = await collect(engine.synthesize(request({ text: 'Oui.', voice: { kind: 'preset', id: preset.id }, language: preset.language }), new AbortController().signal));
      expect(chunks.reduce((n, c) => n + c.length, 0), preset.id).toBeGreaterThan(0);
    }
  });

  it('refuses an unknown preset with voice_not_found', async () => {
    await expect(collect(engine.synthesize(request({ voice: { kind: 'preset', id: 'nobody' } }), new AbortController().signal))).rejects.toMatchObject({
      code: 'voice_not_found',
    });
  });
});

describe('espeak threads and slow readers', () => {
  it('a reader paused mid-stream does not hold a thread: other requests still finish', async () => {
    // Two paused streams on a two-thread engine, each stopped after its first chunk.
    const paused = [0, 1].map(() => engine.synthesize(request({ text: 'A long first sentence that takes a while to say, with many words in it. Second.' }), new AbortController().signal)[Symbol.asyncIterator]());
    for (const stream of paused) expect((await stream.next()).done).toBe(false);
    const chunks = await collect(engine.synthesize(request({ text: 'I still get through.' }), new AbortController().signal));
    expect(chunks.length).toBeGreaterThan(0);
    for (const stream of paused) await stream.return?.(undefined);
  });
});
