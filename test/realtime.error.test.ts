import { describe, expect, it } from 'vitest';
import { isType, RealtimeClient, upgradeAttempt } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';

const stack = useStack({ edgeVars: { REALTIME_IDLE_TIMEOUT_MS: '400' } });

const open = () => RealtimeClient.open(stack.edge.url, { key: stack.key });

describe('realtime socket: bad messages get error messages and the socket survives', () => {
  it('answers each bad message with its code, then still speaks', async () => {
    const client = await open();
    const expectError = async (send: () => void, code: string) => {
      const from = client.received.length;
      send();
      const error = await client.waitFor(isType('error'), 10_000, from);
      expect(error.code).toBe(code);
    };
    await expectError(() => client.sendRaw('not json'), 'invalid_message');
    await expectError(() => client.sendRaw(new Uint8Array([1, 2, 3])), 'invalid_message');
    await expectError(() => client.send({ type: 'text', text: 'too soon' }), 'not_configured');
    await expectError(() => client.send({ type: 'shout' }), 'invalid_message');
    await expectError(() => client.send({ type: 'config', response_format: 'wav' }), 'invalid_message');
    await expectError(() => client.send({ type: 'config', voice: 'nobody' }), 'voice_not_found');
    await expectError(() => client.send({ type: 'config', voice: 'voice_0123456789abcdef' }), 'voice_not_found');
    await expectError(() => client.send({ type: 'config', response_format: 'mulaw', sample_rate: 11_025 }), 'invalid_message');
    await expectError(() => client.send({ type: 'config', response_format: 'mp3', bitrate: 192_000 }), 'unsupported_bitrate'); // not at 24 kHz
    await expectError(() => client.send({ type: 'config', response_format: 'pcm', bitrate: 384_000 }), 'unsupported_bitrate');

    client.send({ type: 'config', response_format: 'pcm' });
    await client.waitFor(isType('ready'));
    await expectError(() => client.send({ type: 'config' }), 'already_configured');
    await expectError(() => client.send({ type: 'flush', context_id: 'nope' }), 'unknown_context');
    client.send({ type: 'text', text: 'Still here.' });
    client.send({ type: 'close' });
    expect((await client.waitFor(isType('done'))).reason).toBe('closed');
    client.close();
  });

  it('a context that ran out of room errors alone; the others go on', async () => {
    const client = await open();
    client.send({ type: 'config', response_format: 'pcm' });
    await client.waitFor(isType('ready'));
    client.send({ type: 'text', text: 'Hello.', context_id: 'a' });
    client.send({ type: 'close', context_id: 'a' });
    client.send({ type: 'text', text: 'More for a closed context.', context_id: 'a' });
    client.send({ type: 'text', text: 'Context b is fine.', context_id: 'b' });
    client.send({ type: 'close', context_id: 'b' });
    const doneB = await client.waitFor(isType('done', 'b'));
    expect(doneB.reason).toBe('closed');
    expect(client.received.filter(isType('error')).every((e) => e.context_id === 'a' || e.context_id === undefined)).toBe(true);
    client.close();
  });

  it('rate limits answer as messages with the time to wait', async () => {
    const { key } = await stack.edge.createKey({ limits: { characters_per_minute: 40 } });
    const client = await RealtimeClient.open(stack.edge.url, { key });
    client.send({ type: 'config', response_format: 'pcm' });
    await client.waitFor(isType('ready'));
    client.send({ type: 'text', text: 'This first sentence fits in the limit. ' });
    client.send({ type: 'text', text: 'This second one does not fit any more.' });
    client.send({ type: 'close' });
    const error = await client.waitFor(isType('error'));
    expect(error).toMatchObject({ code: 'rate_limit_characters', context_id: 'default' });
    expect(error.retry_after_seconds).toBeGreaterThan(30); // too long to wait for: the context ends
    expect(error.retrying).toBeUndefined();
    expect((await client.waitFor(isType('done'))).reason).toBe('failed');
    client.close();
  });

  it('a rate limit that clears within seconds is waited out, and no text is lost', async () => {
    // 300 characters a minute (5 a second): the first sentence takes nearly all, the second waits about 4 s.
    const { key } = await stack.edge.createKey({ limits: { characters_per_minute: 300 } });
    const client = await RealtimeClient.open(stack.edge.url, { key });
    client.send({ type: 'config', response_format: 'mulaw', chunking: { boundary: 'sentence', max_characters: 1000, max_delay_ms: 1000 } });
    const first = `${'word '.repeat(55)}end. `; // 280 characters
    const second = 'Then a short one waits here for its turn.'; // 41: about 20 more than the minute has left
    client.send({ type: 'text', text: first + second });
    client.send({ type: 'close' });
    const notice = await client.waitFor(isType('error'));
    expect(notice).toMatchObject({ code: 'rate_limit_characters', context_id: 'default', retrying: true });
    expect(notice.retry_after_seconds).toBeGreaterThan(0);
    expect(notice.retry_after_seconds).toBeLessThanOrEqual(30);
    const done = await client.waitFor(isType('done'), 60_000);
    client.close();
    expect(done.reason).toBe('closed');
    const heard = client.received.filter(isType('audio')).flatMap((m) => m.timestamps.map((w) => w.word));
    expect(heard.join(' ')).toBe((first + second).match(/[\p{L}\p{N}']+/gu)!.join(' '));
    // The second sentence's audio came only after the wait.
    const secondAudio = client.received.find((m) => m.type === 'audio' && m.timestamps.some((w) => w.word === 'waits'))!;
    expect(secondAudio.at - notice.at).toBeGreaterThan((notice.retry_after_seconds! - 1) * 1000);
  });

  it('opening a socket counts against the requests-per-minute limit', async () => {
    const { key } = await stack.edge.createKey({ limits: { requests_per_minute: 1 } });
    const headers = { authorization: `Bearer ${key}` };
    expect((await upgradeAttempt(stack.edge.url, '/v1/audio/speech/stream', headers)).status).toBe(101);
    const refused = await upgradeAttempt(stack.edge.url, '/v1/audio/speech/stream', headers);
    expect(refused.status).toBe(429);
    expect(refused.body?.error?.code).toBe('rate_limit_requests');
  });

  it('an idle socket is told why and closed', async () => {
    const client = await open();
    client.send({ type: 'config', response_format: 'pcm' });
    await client.waitFor(isType('ready'));
    const error = await client.waitFor(isType('error'), 5000);
    expect(error.code).toBe('idle_timeout');
    await expect.poll(() => client.closed?.code, { timeout: 5000 }).toBe(4000);
  });
});
