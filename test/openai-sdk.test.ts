import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, looksLikeSpeech } from './audio-checks.ts';
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
  });
});
