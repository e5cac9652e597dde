import { describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { startStack, useStack } from '../../test/harness/stack.ts';
import { MAX_INPUT_CHARACTERS } from '../../shared/schemas/speech.ts';

const stack = useStack();

const post = (target: EdgeHarness, apiKey: string, body: string) =>
  target.fetch('/v1/audio/speech', { method: 'POST', key: apiKey, headers: { 'content-type': 'application/json' }, body });

async function expectError(response: Response, status: number, code: string, param?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('x-request-id')).toBeTruthy();
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const { error } = (await response.json()) as { error: Record<string, string> };
  expect(error.code).toBe(code);
  expect(typeof error.type).toBe('string');
  expect(error.message!.length).toBeGreaterThan(10);
  if (param) expect(error.param).toBe(param);
  return error;
}

describe('POST /v1/audio/speech refuses bad input clearly', () => {
  it('malformed JSON: 400 invalid_json', async () => {
    await expectError(await post(stack.edge, stack.key, '{"input": "unterminated'), 400, 'invalid_json');
  });

  it('empty or blank input: 400 empty_input', async () => {
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: '' })), 400, 'empty_input', 'input');
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: '  \n ' })), 400, 'empty_input', 'input');
  });

  it(`input over ${MAX_INPUT_CHARACTERS} characters: 413 input_too_long, naming the maximum`, async () => {
    const error = await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'a'.repeat(MAX_INPUT_CHARACTERS + 1) })), 413, 'input_too_long', 'input');
    expect(error.message).toContain(String(MAX_INPUT_CHARACTERS));
  });

  it(`input of exactly ${MAX_INPUT_CHARACTERS} characters is accepted (counted in characters, not bytes)`, async () => {
    const response = await post(stack.edge, stack.key, JSON.stringify({ input: 'é'.repeat(MAX_INPUT_CHARACTERS), response_format: 'pcm' }));
    expect(response.status).toBe(200);
    await response.body!.cancel();
  });

  it('unknown voice: 404 voice_not_found', async () => {
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', voice: 'no-such-voice' })), 404, 'voice_not_found', 'voice');
  });

  it('unknown model: 404 model_not_found, listing the models', async () => {
    const error = await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', model: 'tts-9000' })), 404, 'model_not_found', 'model');
    expect(error.message).toContain('espeak');
  });

  it('unsupported language: 422 unsupported_language', async () => {
    const error = await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hallo.', language: 'nl' })), 422, 'unsupported_language', 'language');
    expect(error.message).toContain('espeak');
  });

  it('malformed language code: 400 invalid_parameter', async () => {
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', language: 'english please' })), 400, 'invalid_parameter', 'language');
  });

  it('a sample rate the format does not offer: 400 unsupported_sample_rate, naming the rates it does', async () => {
    const error = await expectError(
      await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', response_format: 'opus', sample_rate: 44100 })),
      400,
      'unsupported_sample_rate',
      'sample_rate',
    );
    expect(error.message).toContain('8000, 16000, 24000, 48000');
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', response_format: 'pcm', sample_rate: 12345 })), 400, 'unsupported_sample_rate', 'sample_rate');
  });

  it('a bitrate the format does not offer at the rate, or a format that takes none: 400 unsupported_bitrate, naming those it does', async () => {
    const mp3 = await expectError(
      await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', response_format: 'mp3', sample_rate: 24000, bitrate: 192000 })),
      400,
      'unsupported_bitrate',
      'bitrate',
    );
    expect(mp3.message).toContain('8000, 16000, 24000, 32000, 40000, 48000, 64000, 80000, 96000, 112000, 128000, 160000');
    expect(mp3.message).toContain('192000 needs sample_rate 32000, 44100, 48000');
    // The default rate (24 kHz) is the one checked against.
    const opus = await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', response_format: 'opus', bitrate: 1000 })), 400, 'unsupported_bitrate', 'bitrate');
    expect(opus.message).toContain('at sample_rate 24000 is available at bitrate 16000, 24000, 32000, 48000, 64000, 96000, 128000, 160000, 192000, 256000');
    const wav = await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', response_format: 'wav', bitrate: 384000 })), 400, 'unsupported_bitrate', 'bitrate');
    expect(wav.message).toContain('bitrate is for mp3, opus, aac');
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', response_format: 'mp3', bitrate: 128.5 })), 400, 'invalid_parameter', 'bitrate');
  });

  it('unknown format: 400 invalid_parameter', async () => {
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', response_format: 'midi' })), 400, 'invalid_parameter', 'response_format');
  });

  it('speed out of range: 400 invalid_parameter', async () => {
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'Hi.', speed: 10 })), 400, 'invalid_parameter', 'speed');
  });

  it('a body over 128 KiB: 413 body_too_large', async () => {
    await expectError(await post(stack.edge, stack.key, JSON.stringify({ input: 'x'.repeat(140_000) })), 413, 'body_too_large');
  });
});

describe('POST /v1/audio/speech when workers fail', () => {
  it('no worker reachable: 503 no_worker_available with Retry-After of one heartbeat (when one may join)', async () => {
    const lonely = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: stack.worker.secret });
    try {
      const { key: lonelyKey } = await lonely.createKey();
      const response = await post(lonely, lonelyKey, JSON.stringify({ input: 'Anyone there?' }));
      await expectError(response, 503, 'no_worker_available');
      expect(response.headers.get('retry-after')).toBe('2');
    } finally {
      await lonely.dispose();
    }
  });

  const MINUTES_OF_TEXT = Array.from({ length: 60 }, (_, i) => `Sentence ${i} goes on for a while so that the stream lasts.`).join(' ');

  // workerd ends a response cleanly even when its body stream errors (cloudflare/workerd#6818,
  // open), so the client cannot see the cut at the HTTP level yet. What the edge controls: it
  // notices the failure, logs it with the request id, and never pads or replays audio.
  it('a worker that dies mid-stream: the edge sees the failure and logs it with the request id', async () => {
    const doomed = await startStack();
    try {
      const response = await post(doomed.edge, doomed.key, JSON.stringify({ input: MINUTES_OF_TEXT, response_format: 'pcm' }));
      expect(response.status).toBe(200);
      const requestId = response.headers.get('x-request-id')!;
      const reader = response.body!.getReader();
      let received = (await reader.read()).value!.byteLength;
      await doomed.worker.kill();
      for (;;) {
        const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (chunk.done) break;
        received += chunk.value.byteLength;
      }
      // 60 sentences are about three minutes of audio; the stream stopped far short of it.
      expect(received / 48_000).toBeLessThan(60);
      await expect.poll(() => doomed.edge.logs.find((line) => line.includes(requestId) && line.includes('stream ended early'))).toBeTruthy();
    } finally {
      await doomed.stop();
    }
  });

  it('with stream_format "sse", a worker that dies mid-stream ends the events with an error event', async () => {
    const doomed = await startStack();
    try {
      const response = await post(doomed.edge, doomed.key, JSON.stringify({ input: MINUTES_OF_TEXT, response_format: 'pcm', stream_format: 'sse' }));
      expect(response.status).toBe(200);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      // The timestamps event goes out right before its delta and may arrive in a read of its own.
      let text = '';
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        text += read.value;
        if (text.includes('speech.audio.delta')) break;
      }
      expect(text).toContain('speech.audio.delta');
      await doomed.worker.kill();
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += chunk.value;
      }
      const events = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => JSON.parse(block.slice(6)) as { type: string; error?: { code: string } });
      expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'worker_failed' } });
      expect(events.some((event) => event.type === 'speech.audio.done')).toBe(false);
    } finally {
      await doomed.stop();
    }
  });
});
