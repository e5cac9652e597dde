import { describe, expect, it } from 'vitest';
import { decodeWav, looksLikeSpeech } from '../../test/audio-checks.ts';
import { useStack } from '../../test/harness/stack.ts';
import { readSseEvents } from '../../test/sse-events.ts';
import { expectWellFormedWords, wordsOf } from '../../test/word-timestamps.ts';
import { s16leToFloat } from '../../shared/audio/pcm.ts';
import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';

const stack = useStack();

interface WithTimestamps {
  audio_base64: string;
  content_type: string;
  response_format: string;
  sample_rate: number;
  audio_ms: number;
  alignment: { method: string; words: WordTimestamp[] };
  usage: { input_characters: number };
  timings: Record<string, number>;
}

const post = (path: string, body: Record<string, unknown>, key = stack.key) =>
  stack.edge.fetch(path, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const withTimestamps = async (body: Record<string, unknown>, key?: string) => {
  const response = await post('/v1/audio/speech/with-timestamps', { model: 'espeak', voice: 'en-female', ...body }, key);
  expect(response.status, await response.clone().text()).toBe(200);
  return { response, answer: (await response.json()) as WithTimestamps };
};
const balanceOf = async (accountId: string) => ((await (await stack.edge.admin('GET', `/admin/accounts/${accountId}`)).json()) as { balance: number; reserved?: number }).balance;

const INPUT = 'Hello from the edge. This is a test of word timestamps, spoken by espeak.';
const MS_PER_BYTE_24K = 1 / 48; // s16le mono at 24 kHz: 48 bytes a millisecond

describe('POST /v1/audio/speech/with-timestamps', () => {
  it('answers the whole WAV with exact word times inside it, and the speech headers', async () => {
    const { response, answer } = await withTimestamps({ input: INPUT, response_format: 'wav' });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-tts-model')).toBe('espeak');
    expect(response.headers.get('x-tts-voice')).toBe('en-female');
    for (const name of ['admission', 'queue', 'first_audio']) expect(response.headers.get('server-timing')).toMatch(new RegExp(`${name};dur=[0-9.]+`));
    expect(answer).toMatchObject({ content_type: 'audio/wav', response_format: 'wav', sample_rate: 24_000, usage: { input_characters: [...INPUT].length } });
    expect(answer.alignment.method).toBe('exact');

    const { samples, dataBytes } = decodeWav(new Uint8Array(Buffer.from(answer.audio_base64, 'base64')));
    expect(looksLikeSpeech(samples, 24_000).ok).toBe(true);
    expect(Math.abs(dataBytes * MS_PER_BYTE_24K - answer.audio_ms)).toBeLessThan(1);
    expectWellFormedWords(answer.alignment.words, INPUT, answer.audio_ms);
    // Nearly every word of the input is timed (espeak may voice an unstressed word with the next one: "the edge").
    expect(answer.alignment.words.length).toBeGreaterThanOrEqual(Math.floor(wordsOf(INPUT).length * 0.8));
  });

  it('pcm: audio_ms is the length of the samples, and the words fall inside it', async () => {
    const { answer } = await withTimestamps({ input: INPUT, response_format: 'pcm' });
    const pcm = new Uint8Array(Buffer.from(answer.audio_base64, 'base64'));
    expect(looksLikeSpeech(s16leToFloat(pcm), 24_000).ok).toBe(true);
    expect(Math.abs(pcm.byteLength * MS_PER_BYTE_24K - answer.audio_ms)).toBeLessThan(1);
    expectWellFormedWords(answer.alignment.words, INPUT, answer.audio_ms);
  });

  it('charges exactly the input characters once the audio is returned', async () => {
    const { key, account_id } = await stack.edge.createKey({ credits: 1_000 });
    const before = await balanceOf(account_id);
    await withTimestamps({ input: INPUT, response_format: 'pcm' }, key);
    await expect.poll(() => balanceOf(account_id)).toBe(before - [...INPUT].length);
    const usage = (await (await stack.edge.fetch('/v1/usage', { key })).json()) as { totals: { requests: number; characters: number; credits_charged: number } };
    expect(usage.totals).toMatchObject({ requests: 1, characters: [...INPUT].length, credits_charged: [...INPUT].length });
  });
});

describe('stream_format "sse" with word timestamps', () => {
  it('sends speech.audio.timestamps right before the delta holding the words, the same words as with-timestamps', async () => {
    const response = await post('/v1/audio/speech', { model: 'espeak', voice: 'en-female', input: INPUT, response_format: 'pcm', stream_format: 'sse' });
    expect(response.status).toBe(200);
    const events = (await readSseEvents(response, performance.now())).map((e) => e.data);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'speech.audio.done', alignment: 'exact' });

    const words: WordTimestamp[] = [];
    let audioBytes = 0;
    events.forEach((event, i) => {
      if (event.type === 'speech.audio.delta') audioBytes += Buffer.from(event.audio as string, 'base64').byteLength;
      if (event.type !== 'speech.audio.timestamps') return;
      const next = events[i + 1]!;
      const held = event.words as WordTimestamp[];
      words.push(...held);
      // The words' audio starts no later than the end of the delta that follows them.
      if (next.type === 'speech.audio.delta') {
        const endMs = (audioBytes + Buffer.from(next.audio as string, 'base64').byteLength) * MS_PER_BYTE_24K;
        for (const word of held) expect(word.start_ms, JSON.stringify(word)).toBeLessThanOrEqual(endMs);
      } else expect(next.type).toBe('speech.audio.done');
    });
    expect(events.findIndex((e) => e.type === 'speech.audio.timestamps')).toBeLessThan(events.findIndex((e) => e.type === 'speech.audio.delta'));
    expect((done.usage as { output_tokens: number }).output_tokens).toBe(audioBytes);
    expectWellFormedWords(words, INPUT, audioBytes * MS_PER_BYTE_24K);

    // The same text answered whole has the same words at the same places (espeak's times vary a little).
    const { answer } = await withTimestamps({ input: INPUT, response_format: 'pcm' });
    const place = ({ word, char_start, char_end }: WordTimestamp) => ({ word, char_start, char_end });
    expect(words.map(place)).toEqual(answer.alignment.words.map(place));
  });
});
