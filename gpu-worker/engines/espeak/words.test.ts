import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineWord, SynthesisRequest } from '../types.ts';
import { EspeakEngine } from './engine.ts';

let engine: EspeakEngine;
beforeAll(async () => {
  engine = await EspeakEngine.load({ threads: 1 });
});
afterAll(() => engine?.close());

async function speak(text: string, language = 'en') {
  const request: SynthesisRequest = { requestId: 'words', text, voice: { kind: 'preset', id: 'en-female' }, language, speed: 1, words: true };
  const words: EngineWord[] = [];
  let samples = 0;
  for await (const chunk of engine.synthesize(request, new AbortController().signal)) {
    // Each word arrives with (or before) the audio that holds its start.
    for (const word of chunk.words ?? []) expect(word.startSample).toBeLessThanOrEqual(samples + chunk.audio.length);
    words.push(...(chunk.words ?? []));
    samples += chunk.audio.length;
  }
  return { words, samples };
}

const slice = (text: string, word: EngineWord) => [...text].slice(word.charStart, word.charEnd).join('');

describe('espeak word timings', () => {
  it('has every word, in order, inside the audio, its characters slicing the input', async () => {
    const text = 'Sunny mornings, warm evenings. Lemon and honey, slowly! Über café.';
    const { words, samples } = await speak(text);
    expect(words.map((word) => slice(text, word))).toEqual(['Sunny', 'mornings', 'warm', 'evenings', 'Lemon', 'and', 'honey', 'slowly', 'Über', 'café']);
    for (const [i, word] of words.entries()) {
      expect(word.endSample).toBeGreaterThan(word.startSample);
      expect(word.endSample).toBeLessThanOrEqual(samples);
      if (i > 0) expect(word.startSample).toBeGreaterThanOrEqual(words[i - 1]!.endSample);
    }
  });

  it('gives one word for a word espeak starts a second event inside ("it was" has one at "t ")', async () => {
    const text = 'What a morning it was! It was calm.';
    const { words } = await speak(text);
    expect(words.map((word) => slice(text, word))).toEqual(['What', 'a', 'morning', 'it', 'was', 'It', 'was', 'calm']);
    for (const [i, word] of words.entries()) if (i > 0) expect(word.charStart).toBeGreaterThanOrEqual(words[i - 1]!.charEnd);
  });

  it('counts characters as code points, past astral characters and across sentences', async () => {
    const text = '😀 Hello there. 😀 Good night.';
    const { words } = await speak(text);
    expect(words.map((word) => slice(text, word))).toEqual(expect.arrayContaining(['Hello', 'there', 'Good', 'night']));
  });

  it('yields the same audio whether words are asked for or not', async () => {
    const text = 'Exactly the same samples either way.';
    const plain: number[] = [];
    for await (const chunk of engine.synthesize({ requestId: 'plain', text, voice: { kind: 'preset', id: 'en-female' }, language: 'en', speed: 1 }, new AbortController().signal)) {
      expect(chunk.words).toBeUndefined();
      plain.push(chunk.audio.length);
    }
    const { samples } = await speak(text);
    // espeak adds a little random noise, so lengths, not samples, are compared.
    expect(Math.abs(samples - plain.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(32);
  });
});
