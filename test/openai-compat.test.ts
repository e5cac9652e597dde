import { describe, expect, it } from 'vitest';
import { parseServerTiming } from '../shared/protocol/server-timing.ts';
import { useStack } from './harness/stack.ts';
import { readSseEvents } from './sse-events.ts';

// OpenAI compatibility through the edge in workerd and a real gpu-worker, on a deployment whose
// DEFAULT_RESPONSE_FORMAT is wav.
const stack = useStack({ edgeVars: { DEFAULT_RESPONSE_FORMAT: 'wav' } });

const speech = (body: Record<string, unknown>) =>
  stack.edge.fetch('/v1/audio/speech', { method: 'POST', key: stack.key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('OpenAI compatibility', () => {
  it('a request with no response_format gets the DEFAULT_RESPONSE_FORMAT (wav)', async () => {
    const response = await speech({ model: 'tts-1', voice: 'alloy', input: 'No format was asked for.' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    expect(new TextDecoder().decode(bytes.subarray(8, 12))).toBe('WAVE');
  });

  it('explicit language still wins over the language of the text', async () => {
    const input = '今天天气很好。';
    const explicit = await speech({ model: 'tts-1', voice: 'alloy', input, language: 'en' });
    expect(explicit.status).toBe(200);
    expect(explicit.headers.get('x-tts-language')).toBe('en');
    expect(explicit.headers.has('x-tts-detected-languages')).toBe(false);
    await explicit.arrayBuffer();
    // Without it, the same text is detected as Chinese: the check above is not a default.
    const detected = await speech({ model: 'tts-1', voice: 'alloy', input });
    expect(detected.status).toBe(200);
    expect(detected.headers.get('x-tts-language')).toBe('zh');
    await detected.arrayBuffer();
  });

  it("GET /v1/models lists OpenAI's tts-1 as an alias of espeak", async () => {
    const response = await stack.edge.fetch('/v1/models', { key: stack.key });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Array<Record<string, unknown>> };
    expect(data.find((model) => model.id === 'tts-1')).toMatchObject({ id: 'tts-1', object: 'model', alias_of: 'espeak' });
  });

  it('the SSE speech.audio.done timings are the Server-Timing header\'s, rounded', async () => {
    const response = await speech({ model: 'tts-1', voice: 'alloy', input: 'Timings in two places.', response_format: 'pcm', stream_format: 'sse' });
    expect(response.status).toBe(200);
    const header = parseServerTiming(response.headers.get('server-timing'));
    const events = await readSseEvents(response, performance.now());
    const done = events.find((e) => e.data.type === 'speech.audio.done');
    expect(done).toBeDefined();
    const timings = done!.data.timings as Record<string, number>;
    for (const [event, metric] of [
      ['admission_ms', 'admission'],
      ['queue_ms', 'queue'],
      ['first_audio_ms', 'first_audio'],
    ] as const) {
      expect(header[metric], metric).toEqual(expect.any(Number));
      expect(timings[event], event).toEqual(expect.any(Number));
      expect(Math.abs(timings[event]! - header[metric]!), `${event} vs ${metric}`).toBeLessThanOrEqual(1);
    }
  });
});
