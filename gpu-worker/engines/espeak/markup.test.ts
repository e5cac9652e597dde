import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatToInt16 } from '../../../shared/audio/pcm.ts';
import type { EngineWord, Pronunciation, SynthesisRequest } from '../types.ts';
import { EspeakEngine } from './engine.ts';
import { type EspeakPhonemes, openEspeakPhonemes } from './espeak-phonemes.ts';
import { SAME_SOUND_DB, spectralDistance, spoken } from './spectral-distance.ts';
import { DEFAULT_PITCH, DEFAULT_RANGE } from './voice-params.ts';

// What the espeak engine makes of text espeak would read as markup, of phoneme stretches and of emphasis.
let engine: EspeakEngine;
let espeak: EspeakPhonemes;
beforeAll(async () => {
  engine = await EspeakEngine.load({ threads: 1 });
  espeak = await openEspeakPhonemes();
});
afterAll(() => engine?.close());

/** The engine's settings for the preset "en-female" at speed 1 (engine.ts). */
const EN_FEMALE = { voice: 'en-us+f3', rate: 175, pitch: DEFAULT_PITCH, range: DEFAULT_RANGE };

async function speak(text: string, extra: Partial<SynthesisRequest> = {}) {
  const request: SynthesisRequest = { requestId: 'markup', text, voice: { kind: 'preset', id: 'en-female' }, language: 'en', speed: 1, words: true, ...extra };
  const words: EngineWord[] = [];
  const parts: Float32Array[] = [];
  for await (const chunk of engine.synthesize(request, new AbortController().signal)) {
    words.push(...(chunk.words ?? []));
    parts.push(chunk.audio);
  }
  const audio = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    audio.set(part, at);
    at += part.length;
  }
  return { audio, words, said: words.map((word) => [...text].slice(word.charStart, word.charEnd).join('')) };
}

function expectSameSpeech(a: Int16Array, b: Int16Array) {
  const [x, y] = [spoken(a), spoken(b)];
  expect(Math.abs(x.length - y.length) / x.length).toBeLessThanOrEqual(0.02);
  expect(spectralDistance(x, y)).toBeLessThan(SAME_SOUND_DB);
}

describe('espeak reads the request as text', () => {
  it('reads out a tag in the text rather than pausing for it', async () => {
    const tagged = await speak('a <break time="1s"/> b');
    const plain = await speak('a b');
    expect(tagged.said).toEqual(expect.arrayContaining(['a', 'break', 'time', 'b']));
    // Read out, the tag takes longer than a one-second pause would.
    expect(tagged.audio.length).toBeGreaterThan(plain.audio.length + 1.2 * engine.info.sample_rate);
  });

  it('says "AT&T" as written, and an entity as its characters', async () => {
    const plain = await speak('AT&T works');
    expect(plain.said.at(-1)).toBe('works');
    // As long as espeak's own reading of the escaped text: "A T and T works".
    const own = spoken(espeak.speak('AT&amp;T works', EN_FEMALE)).length;
    expect(Math.abs(spoken(floatToInt16(plain.audio)).length - own) / own).toBeLessThanOrEqual(0.02);
    const entity = await speak('&amp; works');
    expect(entity.said).toEqual(expect.arrayContaining(['amp', 'works']));
  });

  it('reads "[[" as brackets, not as phonemes', async () => {
    const { audio, said } = await speak("say [[h@l'oU]] now");
    expect(said).toEqual(expect.arrayContaining(['say', 'now']));
    // Read as phonemes it would be "say hello now"; read as text, the letters and signs take far longer.
    const asPhonemes = spoken(espeak.speak("say [[h@l'oU]] now", EN_FEMALE)).length;
    expect(spoken(floatToInt16(audio)).length).toBeGreaterThan(1.3 * asPhonemes);
  });
});

describe('espeak says phoneme stretches', () => {
  const tomato: Pronunciation = { charStart: 7, charEnd: 13, ipa: 'təˈmɑːtoʊ' };

  it('says a stretch from its IPA, as one word spanning it', async () => {
    const { audio, said, words } = await speak('I like tomato soup.', { pronunciations: [tomato] });
    expect(said).toEqual(['I', 'like', 'tomato', 'soup']);
    expect(words[2]!.endSample).toBeGreaterThan(words[2]!.startSample);
    expectSameSpeech(floatToInt16(audio), espeak.speak("I like [[t@m'A:toU]] soup.", EN_FEMALE));
  });

  it("says a made-up word given in IPA as espeak's own phoneme input for it; a different word fails the same check", async () => {
    const word = 'blinkatorf';
    const { audio, said } = await speak(word, { pronunciations: [{ charStart: 0, charEnd: word.length, ipa: 'ˈblɪŋkəˌtɔːɹf' }] });
    expect(said).toEqual([word]);
    const fromIpa = floatToInt16(audio);
    expectSameSpeech(fromIpa, espeak.speak("[[bl'INk@t,O@f]]", EN_FEMALE));
    // The check tells one changed sound apart, so it would catch a wrong table entry.
    for (const different of ["[[bl'aNk@t,O@f]]", "[[bl'INk@d,O@f]]"]) {
      expect(spectralDistance(fromIpa, espeak.speak(different, EN_FEMALE))).toBeGreaterThan(SAME_SOUND_DB);
    }
  });

  it('keeps a sentence end inside a stretch in one job', async () => {
    const text = 'Ask Dr. Who now.';
    const { said } = await speak(text, { pronunciations: [{ charStart: 4, charEnd: 11, ipa: 'ˈdɑktɚ ˈhu' }] });
    expect(said).toEqual(['Ask', 'Dr. Who', 'now']);
  });
});

describe('espeak says emphasis', () => {
  it('says an emphasized text differently from the plain one, with the same words', async () => {
    const plain = await speak('This is important.');
    const stressed = await speak('This is important.', { emphasis: true });
    expect(stressed.said).toEqual(plain.said);
    expect(spectralDistance(floatToInt16(plain.audio), floatToInt16(stressed.audio))).toBeGreaterThan(SAME_SOUND_DB);
  });
});
