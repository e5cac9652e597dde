import { describe, expect, it } from 'vitest';
import { probeAudio } from './decode-audio.ts';
import { isType, RealtimeClient } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';
import { settledBalance } from './harness/edge.ts';

const stack = useStack();
const CREDITS = 100_000;

async function socket(key: string, config: Record<string, unknown> = { response_format: 'pcm' }): Promise<RealtimeClient> {
  const client = await RealtimeClient.open(stack.edge.url, { key });
  client.send({ type: 'config', ...config });
  await client.waitFor(isType('ready'));
  return client;
}

describe('realtime socket: billing equals what was delivered', () => {
  it('a context spoken whole is charged its characters, once', async () => {
    const { key } = await stack.edge.createKey({ credits: CREDITS, scopes: ['speech', 'usage'] });
    const client = await socket(key);
    const text = 'Every character of this is charged. Once, and no more.';
    client.send({ type: 'text', text });
    client.send({ type: 'close' });
    await client.waitFor(isType('done'));
    client.close();
    expect(await settledBalance(stack.edge, key)).toBe(CREDITS - [...text].length);

    // Each chunk is logged and counted as a request is: one log line, one Analytics Engine data point.
    const chunkId = `${client.received.find(isType('ready'))!.session_id}.default.0`;
    const first = 'Every character of this is charged. '; // the chunk takes the space that ended its sentence
    // Only the edge's JSON lines: workerd may log a line of its own (a warning) beside them.
    const logLine = stack.edge.logs
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.message === 'request' && line.request_id === chunkId);
    expect(logLine).toMatchObject({ method: 'WS', path: '/v1/audio/speech/stream', status: 200, outcome: 'completed', characters: first.length, format: 'pcm' });
    const point = stack.edge.logs.filter((line) => line.startsWith('{"analytics_engine":')).map((line) => JSON.parse(line).data_point).find((p) => p.blobs[3] === chunkId);
    expect(point).toMatchObject({ blobs: ['espeak', 'pcm', 'completed', chunkId, 'off'], doubles: [200, expect.any(Number), first.length, expect.any(Number), expect.any(Number)] });
  });

  it.each<[string, { response_format: string; sample_rate?: number; bitrate?: number }, number]>([
    ['pcm', { response_format: 'pcm' }, 24_000 * 2],
    // 24,000 bytes a second: counted at the 64 kb/s default, the same bytes would be charged three times over.
    ['mp3 at 192 kb/s', { response_format: 'mp3', sample_rate: 44_100, bitrate: 192_000 }, 192_000 / 8],
  ])('a cancelled context (%s) is charged the audio it delivered, not the text it was sent', async (_, config, bytesPerSecond) => {
    const { key } = await stack.edge.createKey({ credits: CREDITS, scopes: ['speech', 'usage'] });
    const client = await socket(key, config);
    const sentence = 'This single long sentence is the whole first chunk, and the user interrupts it well before its end, so only the part heard is paid for.';
    client.send({ type: 'text', text: `${sentence} ${sentence}` });
    client.send({ type: 'flush' });
    await client.waitFor(isType('audio'));
    client.send({ type: 'cancel' });
    await client.waitFor(isType('done'));
    client.close();
    const charged = CREDITS - (await settledBalance(stack.edge, key));
    // docs/billing.md: an early end costs the delivered audio at 55 ms per English character.
    const audio = client.audioOf('default');
    if (config.response_format === 'mp3') expect(await probeAudio(audio)).toMatchObject({ sampleRate: config.sample_rate, bitrate: config.bitrate });
    const heardMs = (audio.byteLength / bytesPerSecond) * 1000;
    expect(charged).toBeLessThan([...sentence].length);
    expect(Math.abs(charged - Math.ceil(heardMs / 55))).toBeLessThanOrEqual(2);
  });
});
