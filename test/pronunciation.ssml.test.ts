import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { decodeWav, quietStretches } from './audio-checks.ts';
import { useStack } from './harness/stack.ts';
import { readSseEvents } from './sse-events.ts';
import { expectWellFormedWords } from './word-timestamps.ts';

/** SSML through the whole stack on espeak: pauses of the asked length, replaced words timed and billed as the text sent, and markup refused before any worker hears of it. */
const stack = useStack();
const RATE = 24_000;

const post = (path: string, body: unknown, key = stack.key) =>
  stack.edge.fetch(path, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function say(input: string, extra: Record<string, unknown> = {}) {
  const response = await post('/v1/audio/speech/with-timestamps', { model: 'espeak', voice: 'en-male', response_format: 'wav', input, ...extra });
  expect(response.status, await response.clone().text()).toBe(200);
  const answer = (await response.json()) as { audio_base64: string; alignment: { words: WordTimestamp[] }; audio_ms: number; usage: { input_characters: number } };
  expectWellFormedWords(answer.alignment.words, input, answer.audio_ms);
  return { response, samples: decodeWav(new Uint8Array(Buffer.from(answer.audio_base64, 'base64'))).samples, ...answer };
}

/** Every synthesis the worker has ended (its `/metrics`). */
async function workerRequests(): Promise<number> {
  const text = await (await fetch(`${stack.worker.url}/metrics`)).text();
  return [...text.matchAll(/^tts_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('SSML, spoken', () => {
  it('<break time="1s"/> is a silence of 1.0 s between the words, and the words’ times show the gap', async () => {
    const input = '<speak>Hello <break time="1s"/> world</speak>';
    const take = await say(input);
    const [hello, world] = take.alignment.words;
    expect(take.alignment.words.map((w) => w.word)).toEqual(['Hello', 'world']);
    expect(hello!.char_start).toBe(input.indexOf('Hello'));
    expect(world!.char_start).toBe(input.indexOf('world'));
    // The only long silence inside the audio is the pause, from the last sound of "Hello" to the first of "world".
    const inside = quietStretches(take.samples, RATE).filter(([from, to]) => from > 0 && to < take.audio_ms);
    const [from, to] = inside.reduce((longest, stretch) => (stretch[1] - stretch[0] > longest[1] - longest[0] ? stretch : longest));
    expect(Math.abs(to - from - 1000)).toBeLessThanOrEqual(30);
    expect(from).toBeGreaterThanOrEqual(hello!.start_ms);
    expect(to).toBeLessThanOrEqual(world!.end_ms);
    expect(world!.start_ms - hello!.end_ms).toBeGreaterThanOrEqual(950);
    expect(take.usage.input_characters).toBe('Hello world'.length);
  });

  it('plain text takes ElevenLabs’ inline <break/> as the same exact pause', async () => {
    const input = 'Hello <break time="1s"/> world';
    const take = await say(input);
    expect(take.alignment.words.map((w) => [w.word, w.char_start])).toEqual([
      ['Hello', 0],
      ['world', input.indexOf('world')],
    ]);
    const inside = quietStretches(take.samples, RATE).filter(([from, to]) => from > 0 && to < take.audio_ms);
    const [from, to] = inside.reduce((longest, stretch) => (stretch[1] - stretch[0] > longest[1] - longest[0] ? stretch : longest));
    expect(Math.abs(to - from - 1000)).toBeLessThanOrEqual(30);
    expect(take.usage.input_characters).toBe('Hello  world'.length);
  });

  it('<sub alias> says the alias, timed and billed as the text it stands for', async () => {
    const input = '<speak>Visit <sub alias="World Wide Web">WWW</sub> today.</speak>';
    const take = await say(input);
    const www = take.alignment.words.filter((w) => w.word === 'WWW');
    expect(www).toHaveLength(1);
    expect(www[0]).toMatchObject({ char_start: input.indexOf('WWW'), char_end: input.indexOf('WWW') + 3 });
    expect(take.alignment.words.map((w) => w.word)).toEqual(['Visit', 'WWW', 'today']);
    expect(take.usage.input_characters).toBe('Visit WWW today.'.length);
    expect(take.response.headers.get('x-tts-not-honored')).toBeNull();
    // Said as "World Wide Web": three words of speech where the text has one.
    const plain = await say('<speak>Visit <sub alias="web">WWW</sub> today.</speak>');
    expect(www[0]!.end_ms - www[0]!.start_ms).toBeGreaterThan((plain.alignment.words[1]!.end_ms - plain.alignment.words[1]!.start_ms) * 1.5);
  });

  it('streams SSML over SSE with the same words, the done event saying nothing was left unsaid', async () => {
    const input = '<speak><s>One <emphasis>two</emphasis>.</s><s><prosody rate="slow">Three</prosody></s></speak>';
    const response = await post('/v1/audio/speech', { model: 'espeak', voice: 'en-male', input, response_format: 'mp3', stream_format: 'sse' });
    expect(response.status).toBe(200);
    const events = await readSseEvents(response, performance.now());
    const words = events.filter((e) => e.data.type === 'speech.audio.timestamps').flatMap((e) => e.data.words as WordTimestamp[]);
    expect(words.map((w) => [w.word, w.char_start])).toEqual([
      ['One', input.indexOf('One')],
      ['two', input.indexOf('two')],
      ['Three', input.indexOf('Three')],
    ]);
    const done = events.at(-1)!.data;
    expect(done).toMatchObject({ type: 'speech.audio.done', usage: { input_tokens: 'One two.Three'.length } });
    expect(done.not_honored).toBeUndefined();
  });

  it('refuses malformed SSML with 400 invalid_ssml naming where, fast, and no worker hears of it', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]><speak>&i;</speak>`;
    const cases: Array<[string, string, RegExp]> = [
      ['unclosed tag', '<speak>Hello <s>world</speak>', /line 1, column \d+/],
      ['unknown element', '<speak>Hello <audio src="https://example.com/a.mp3"/></speak>', /audio.*line 1, column 14/s],
      ['a time of "forever"', '<speak>Hello <break time="forever"/> world</speak>', /forever.*line 1, column 21/s],
      ['10,000 nested tags', `<speak>${'<s>'.repeat(10_000)}deep${'</s>'.repeat(10_000)}</speak>`, /line 1, column \d+/],
      ['an entity bomb', bomb, /line 1, column \d+/],
    ];
    const before = await workerRequests();
    for (const [name, input, where] of cases) {
      const started = performance.now();
      const response = await post('/v1/audio/speech', { model: 'espeak', input });
      const ms = performance.now() - started;
      expect(response.status, name).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; message: string; param?: string } };
      expect(error.code, name).toBe('invalid_ssml');
      expect(error.message, name).toMatch(where);
      // The parse itself is bounded well under 50 ms (edge/pronunciation/ssml tests); the round trip
      // through workerd on a loaded machine gets more room, still far from what expansion would take.
      expect(ms, name).toBeLessThan(1000);
    }
    expect(await workerRequests()).toBe(before);
  });

  it('speaks plain text that looks like markup as text: a break in a text request is read, not obeyed', async () => {
    const input = 'Type <break time="3s"/> to pause.';
    const take = await say(input, { input_format: 'text' });
    expect(take.alignment.words.map((w) => w.word)).toContain('break');
    expect(quietStretches(take.samples, RATE, 1500)).toHaveLength(0);
  });
});
