import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, looksLikeSpeech } from './audio-checks.ts';
import { decodeAudio } from './decode-audio.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

// The official client, pointed at the edge with nothing but a baseURL and a key.
let stack: StackHarness;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ baseURL: `${stack.edge.url}/v1`, apiKey: stack.key, maxRetries: 0 });
});
afterAll(() => stack?.stop());

describe('the openai npm client against the edge', () => {
  it('audio.speech.create returns speech', async () => {
    const response = await client.audio.speech.create({
      model: 'espeak',
      voice: 'en-male',
      input: 'This audio came through the official OpenAI client.',
      response_format: 'wav',
      speed: 1.2,
    });
    const { header, samples } = decodeWav(new Uint8Array(await response.arrayBuffer()));
    expect(header.sampleRate).toBe(24_000);
    expect(looksLikeSpeech(samples, 24_000).ok).toBe(true);
  });

  it('code written for OpenAI (alloy, tts-1, no format, no language) gets MP3 speech', async () => {
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Code written for OpenAI works unchanged.' });
    const raw = response as unknown as Response;
    expect(raw.headers.get('content-type')).toBe('audio/mpeg');
    expect(raw.headers.get('x-tts-model')).toBe('espeak');
    expect(raw.headers.get('x-tts-voice')).toBe('en-female');
    const samples = await decodeAudio(new Uint8Array(await response.arrayBuffer()), 'mp3', 24_000);
    expect(looksLikeSpeech(samples, 24_000).ok).toBe(true);
  });

  // The language comes from the text: with the English-speaking "alloy", each is spoken in its own.
  it.each([
    ['zh', '今天天气很好，我们去公园散步吧。', 'zh-female'],
    ['ja', 'こんにちは、今日はいい天気ですね。', 'ja-female'],
    ['ar', 'الثعلب البني السريع يقفز فوق الكلب الكسول.', 'ar-female'],
  ])('%s text is spoken in %s', async (language, input, voice) => {
    const raw = (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input })) as unknown as Response;
    expect(raw.headers.get('x-tts-detected-languages')).toBe(language);
    expect(raw.headers.get('x-tts-language')).toBe(language);
    expect(raw.headers.get('x-tts-voice')).toBe(voice);
    await raw.arrayBuffer();
  });

  it('mixed English and German: each sentence in its language, in one stream', async () => {
    const input = 'Good morning, how are you today? Ich bin heute sehr müde und gehe nach Hause.';
    const raw = (await client.audio.speech.create({ model: 'tts-1', voice: 'onyx', input, response_format: 'pcm' })) as unknown as Response;
    expect(raw.headers.get('x-tts-detected-languages')).toBe('en,de');
    const requestId = raw.headers.get('x-request-id');
    await raw.arrayBuffer();
    expect((await stack.worker.logLine('synthesized', requestId)).languages).toEqual(['en', 'de']);
  });

  it('surfaces the API error as the client error type, with its code', async () => {
    const failure = await client.audio.speech
      .create({ model: 'espeak', voice: 'nobody', input: 'Hi.', response_format: 'wav' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    expect((failure as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('voice_not_found');
  });

  it('models.list shows the pool', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('espeak');
    expect(ids).toEqual(expect.arrayContaining(['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']));
  });
});
