import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { decodeWav } from './audio-checks.ts';
import { useStack } from './harness/stack.ts';
import { bandSpectrum, spectralDistance, wordAudio } from './pronunciation-audio.ts';
import { expectWellFormedWords } from './word-timestamps.ts';

/**
 * Pronunciation dictionaries through the whole stack (edge in workerd with real D1 and KV, a real
 * gpu-worker on espeak): rules change what is heard, words keep the offsets of the text sent, and
 * versions pin what a request says.
 */
const stack = useStack();
const RATE = 24_000;

interface Timed {
  samples: Float32Array;
  words: WordTimestamp[];
  audio_ms: number;
  usage: { input_characters: number };
}

const post = (path: string, body: unknown, key = stack.key) =>
  stack.edge.fetch(path, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function say(input: string, extra: Record<string, unknown> = {}): Promise<Timed> {
  const response = await post('/v1/audio/speech/with-timestamps', { model: 'espeak', voice: 'en-male', language: 'en', response_format: 'wav', input, ...extra });
  expect(response.status, await response.clone().text()).toBe(200);
  const answer = (await response.json()) as { audio_base64: string; alignment: { words: WordTimestamp[] }; audio_ms: number; usage: { input_characters: number } };
  expectWellFormedWords(answer.alignment.words, input, answer.audio_ms);
  return { samples: decodeWav(new Uint8Array(Buffer.from(answer.audio_base64, 'base64'))).samples, words: answer.alignment.words, audio_ms: answer.audio_ms, usage: answer.usage };
}

async function createDictionary(body: unknown): Promise<{ id: string; version: number }> {
  const response = await post('/v1/pronunciation-dictionaries', body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; version: number };
}

const wordNamed = (take: Timed, word: string) => {
  const found = take.words.filter((w) => w.word === word);
  expect(found, JSON.stringify(take.words)).toHaveLength(1);
  return found[0]!;
};
const durationOf = (word: WordTimestamp) => word.end_ms - word.start_ms;
const spectrumOf = (take: Timed, word: string) => bandSpectrum(wordAudio(take.samples, RATE, wordNamed(take, word)));

const INPUT = 'We store it in SQL, every day.';

describe('pronunciation dictionaries, spoken', () => {
  it('an alias rule changes how the word sounds, keeps its offsets and its price; a pinned version keeps speaking the old way', async () => {
    const dictionary = await createDictionary({ name: 'databases', rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel' }] });
    expect(dictionary.version).toBe(1);
    const got = (await (await stack.edge.fetch(`/v1/pronunciation-dictionaries/${dictionary.id}`, { key: stack.key })).json()) as { rules: unknown[] };
    expect(got.rules).toEqual([{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel', case_sensitive: true, word_boundaries: true }]);

    const spelled = await say(INPUT);
    const aliased = await say(INPUT, { pronunciation_dictionaries: [{ id: dictionary.id }] });
    const again = await say(INPUT, { pronunciation_dictionaries: [{ id: dictionary.id, version: 1 }] });
    // "sequel" is one word at SQL's place in the text, charged as the text's characters.
    expect(wordNamed(aliased, 'SQL')).toMatchObject({ char_start: INPUT.indexOf('SQL'), char_end: INPUT.indexOf('SQL') + 3 });
    expect(aliased.usage.input_characters).toBe([...INPUT].length);
    // Spelled out ("ess queue ell") is longer than "sequel", and its spectrum differs more than two takes of "sequel" do.
    expect(durationOf(wordNamed(spelled, 'SQL'))).toBeGreaterThan(durationOf(wordNamed(aliased, 'SQL')) * 1.1);
    const sameWay = spectralDistance(spectrumOf(aliased, 'SQL'), spectrumOf(again, 'SQL'));
    const otherWay = spectralDistance(spectrumOf(aliased, 'SQL'), spectrumOf(spelled, 'SQL'));
    expect(otherWay).toBeGreaterThan(Math.max(0.1, sameWay * 3));

    // A new rule is a new version; a request pinned to version 1 still says "every day" as before.
    const added = await post(`/v1/pronunciation-dictionaries/${dictionary.id}/rules`, { rules: [{ type: 'alias', string_to_replace: 'every day', alias: 'on each and every single day of the week' }] });
    expect(added.status, await added.clone().text()).toBe(200);
    expect(((await added.json()) as { version: number }).version).toBe(2);
    const pinned = await say(INPUT, { pronunciation_dictionaries: [{ id: dictionary.id, version: 1 }] });
    const latest = await say(INPUT, { pronunciation_dictionaries: [{ id: dictionary.id }] });
    expect(Math.abs(pinned.audio_ms - aliased.audio_ms)).toBeLessThan(aliased.audio_ms * 0.03);
    expect(latest.audio_ms).toBeGreaterThan(aliased.audio_ms + 800);
    // The replaced phrase is one word of the text, "every day", wherever its many words were heard.
    expect(wordNamed(latest, 'every day')).toMatchObject({ char_start: INPUT.indexOf('every day') });
  });

  it('a phoneme rule says the phonemes: the same in IPA and X-SAMPA, unlike another word (espeak’s own [[…]] input is compared in the worker’s tests)', async () => {
    const rule = (phoneme: string, alphabet: string) => createDictionary({ name: phoneme, rules: [{ type: 'phoneme', string_to_replace: 'blicket', phoneme, alphabet }] });
    const [ipa, xSampa, other] = await Promise.all([rule('ˈblɪkɪt', 'ipa'), rule('"blIkIt', 'x-sampa'), rule('ˈblɒkət', 'ipa')]);
    const takeWith = (id: string) => say('A blicket.', { pronunciation_dictionaries: [{ id }] });
    const [byIpa, byXSampa, byOther] = [await takeWith(ipa.id), await takeWith(xSampa.id), await takeWith(other.id)];
    const spectrum = (take: Timed) => spectrumOf(take, 'blicket');
    expect(Math.abs(byIpa.audio_ms - byXSampa.audio_ms)).toBeLessThan(byIpa.audio_ms * 0.02);
    expect(spectralDistance(spectrum(byIpa), spectrum(byXSampa))).toBeLessThan(spectralDistance(spectrum(byIpa), spectrum(byOther)) / 2);
  });

  it('imports a PLS file written by another tool, and speaks by it', async () => {
    const pls = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by hand after the W3C Pronunciation Lexicon Specification 1.0 -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme>
    <grapheme>SQL</grapheme>
    <alias>sequel</alias>
  </lexeme>
  <lexeme>
    <grapheme>blicket</grapheme>
    <grapheme>Blicket</grapheme>
    <phoneme>ˈblɪkɪt</phoneme>
  </lexeme>
</lexicon>`;
    const form = new FormData();
    form.set('name', 'from a PLS');
    form.set('file', new Blob([pls], { type: 'application/pls+xml' }), 'lexicon.pls');
    const response = await stack.edge.fetch('/v1/pronunciation-dictionaries', { method: 'POST', key: stack.key, body: form });
    expect(response.status, await response.clone().text()).toBe(201);
    const { id, rules } = (await response.json()) as { id: string; rules: unknown[] };
    expect(rules).toHaveLength(3);
    const plain = await say(INPUT);
    const ruled = await say(INPUT, { pronunciation_dictionaries: [{ id }] });
    expect(durationOf(wordNamed(plain, 'SQL'))).toBeGreaterThan(durationOf(wordNamed(ruled, 'SQL')) * 1.1);
  });

  it('names an unknown dictionary or version in a 404, before any audio', async () => {
    const unknown = await post('/v1/audio/speech', { model: 'espeak', input: 'Hello.', pronunciation_dictionaries: [{ id: 'pd_nothing' }] });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('pronunciation_dictionary_not_found');
    const { id } = await createDictionary({ name: 'one version', rules: [{ type: 'alias', string_to_replace: 'a', alias: 'b' }] });
    const version = await post('/v1/audio/speech', { model: 'espeak', input: 'Hello.', pronunciation_dictionaries: [{ id, version: 7 }] });
    expect(version.status).toBe(404);
    expect(((await version.json()) as { error: { code: string } }).error.code).toBe('pronunciation_dictionary_version_not_found');
    const four = await post('/v1/audio/speech', { model: 'espeak', input: 'Hello.', pronunciation_dictionaries: [{ id }, { id }, { id }, { id }] });
    expect(four.status).toBe(400);
  });

  it('the ElevenLabs dialect’s pronunciation_dictionary_locators apply the same dictionaries', async () => {
    const text = 'SQL, SQL, SQL, SQL and SQL.';
    const { id } = await createDictionary({ name: 'eleven', rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel' }] });
    const speak = (locators?: unknown) =>
      stack.edge.fetch('/elevenlabs/v1/text-to-speech/en-male/with-timestamps?output_format=pcm_24000', {
        method: 'POST',
        key: stack.key,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, language_code: 'en', ...(locators ? { pronunciation_dictionary_locators: locators } : {}) }),
      });
    const lengthOf = async (response: Response) => {
      expect(response.status, await response.clone().text()).toBe(200);
      return Buffer.from(((await response.json()) as { audio_base64: string }).audio_base64, 'base64').byteLength;
    };
    const plain = await lengthOf(await speak());
    const ruled = await lengthOf(await speak([{ pronunciation_dictionary_id: id, version_id: '1' }]));
    // The same dictionary through the OpenAI-shaped route: the same audio length, to a few samples.
    const ours = await say(text, { pronunciation_dictionaries: [{ id }] });
    expect(Math.abs(ruled / 2 - ours.samples.length)).toBeLessThan(RATE * 0.02);
    expect(plain - ruled).toBeGreaterThan(RATE * 2 * 0.2); // five "sequel"s are 200 ms or more shorter than five "ess queue ell"s
    const wrongVersion = await speak([{ pronunciation_dictionary_id: id, version_id: 'v1' }]);
    expect(wrongVersion.status).toBe(404);
  });
});
