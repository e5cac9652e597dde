import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wordSpans } from '../../text/words.ts';
import type { EngineWord, SynthesisRequest } from '../types.ts';
import { loadQwen3Engine, type Qwen3Engine } from './engine.ts';
import { writeTinyPack } from './tiny-pack/generate.ts';
import { TextTokenizer } from './tokenizer.ts';
import { TEXT_LAG_FRAMES } from './word-timing.ts';

const SAMPLES_PER_FRAME = 1920;
let root: string;
let engine: Qwen3Engine;
let tokenizer: TextTokenizer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-words-'));
  await writeTinyPack(root);
  engine = await loadQwen3Engine(root, { intraOpThreads: 1 });
  tokenizer = await TextTokenizer.load(root, ['vocab.json', 'merges.txt']);
});
afterAll(async () => {
  await engine?.close();
  await rm(root, { recursive: true, force: true });
});

const request = (text: string, words = true): SynthesisRequest => ({
  requestId: 'words', text, voice: { kind: 'preset', id: 'default' }, language: 'en', speed: 1, seed: 3, words,
});

async function speak(text: string, words = true) {
  const timed: EngineWord[] = [];
  const audio: number[] = [];
  for await (const chunk of engine.synthesize(request(text, words), new AbortController().signal)) {
    // Words arrive with (or before) the audio that holds their start.
    for (const word of chunk.words ?? []) expect(word.startSample).toBeLessThanOrEqual(audio.length + chunk.audio.length);
    timed.push(...(chunk.words ?? []));
    audio.push(...chunk.audio);
  }
  return { words: timed, audio };
}

describe('qwen3 word timings (estimated)', () => {
  it('the lag: the tiny pack ends speech on the frame tts_eos enters, TEXT_LAG_FRAMES after it', async () => {
    // How TEXT_LAG_FRAMES was measured: with plain prompts, text token i enters at frame i and
    // tts_eos at frame n (n tokens); the frame the model samples codec EOS at, minus n.
    for (const text of ['Hello world, this is a test of the speech system.', 'Speak slowly and clearly.', 'Hallo welt, bonjour le monde.']) {
      const n = tokenizer.encode(text).length;
      let end;
      for await (const event of engine.generate(request(text), new AbortController().signal)) if (event.kind === 'end') end = event;
      expect(end).toMatchObject({ reason: 'eos' });
      expect(end!.frames - n).toBe(TEXT_LAG_FRAMES);
    }
  });

  it('says every word of the input once, in order, monotonic and inside the audio', async () => {
    const text = 'Grüße aus Köln, the quick brown fox! 東京 and 42 jumps.';
    const { words, audio } = await speak(text);
    expect(engine.wordAlignment).toBe('estimated');
    const expected = wordSpans(text, 'en').map((span) => [...text].slice(span.start, span.end).join(''));
    expect(words.map((word) => [...text].slice(word.charStart, word.charEnd).join(''))).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['Grüße', 'Köln', 'fox', '42', 'jumps']));
    for (const [i, word] of words.entries()) {
      expect(word.startSample % SAMPLES_PER_FRAME).toBe(0);
      expect(word.endSample).toBeGreaterThanOrEqual(word.startSample);
      expect(word.endSample).toBeLessThanOrEqual(audio.length);
      if (i > 0) expect(word.startSample).toBeGreaterThanOrEqual(words[i - 1]!.endSample);
    }
    // Together they cover the audio: from where the first token entered to the end of speech.
    expect(words[0]!.startSample).toBe(0);
    expect(words.at(-1)!.endSample).toBe(audio.length);
  });

  it('changes no sample of a seeded stream', async () => {
    const text = 'The same audio with or without words.';
    const [timed, plain] = [await speak(text), await speak(text, false)];
    expect(plain.words).toEqual([]);
    expect(timed.audio).toEqual(plain.audio);
  });
});
