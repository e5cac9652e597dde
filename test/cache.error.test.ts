import { describe, expect, it } from 'vitest';
import { useStack } from './harness/stack.ts';

/** The audio cache when things go wrong: clients that leave, requests that cannot be cached. */
const stack = useStack({ edgeVars: { AUDIO_CACHE_MODE: 'on' } });

// About three minutes of speech: a client that reads one chunk and leaves is far from its end.
const LONG = Array.from({ length: 40 }, (_, i) => `This is sentence number ${i + 1} of a long announcement that goes on for a while.`).join(' ');

const body = (input: string) => JSON.stringify({ model: 'espeak', voice: 'en-female', response_format: 'pcm', input });

async function objectsOf(accountId: string) {
  return (await (await stack.edge.mf.getR2Bucket('AUDIO_CACHE')).list({ prefix: `${accountId}/` })).objects;
}

/** Reads the first chunk of a speech answer, then leaves. Returns the answer's cache header. */
async function leaveAfterFirstChunk(key: string, input: string): Promise<string | null> {
  const abort = new AbortController();
  const response = await stack.edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: body(input), signal: abort.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  expect((await reader.read()).done).toBe(false);
  abort.abort();
  await reader.cancel().catch(() => {});
  return response.headers.get('x-tts-cache');
}

/** The edge's request log line of a request, once its stream has ended. */
async function logLineOf(requestId: string, timeoutMs = 10_000): Promise<{ outcome: string; bytes: number; cache: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = stack.edge.logs.map((l) => JSON.parse(l.startsWith('{') ? l : '{}') as Record<string, unknown>).find((l) => l.request_id === requestId && l.outcome !== undefined);
    if (line) return line as { outcome: string; bytes: number; cache: string };
    if (Date.now() > deadline) throw new Error(`no log line for ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('audio cache: only whole renderings are stored, and a leaving client stops the reading', () => {
  it('a client that leaves mid-miss leaves nothing in the cache: the same request after it is a miss again', async () => {
    const { key, account_id: accountId } = await stack.edge.createKey();
    expect(await leaveAfterFirstChunk(key, LONG)).toBe('miss');
    // The same request in full: a miss (nothing of the first was kept), and then it is stored, alone.
    const again = await stack.edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: body(LONG) });
    expect(again.headers.get('x-tts-cache')).toBe('miss');
    const whole = new Uint8Array(await again.arrayBuffer());
    const deadline = Date.now() + 10_000;
    while ((await objectsOf(accountId)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const objects = await objectsOf(accountId);
    expect(objects).toHaveLength(1);
    expect(objects[0]!.size).toBe(whole.byteLength);
  });

  it('a hit the client leaves after one chunk ends there: the edge hands over no more than that', async () => {
    const { key, account_id: accountId } = await stack.edge.createKey();
    const whole = await stack.edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: body(LONG) });
    const size = (await whole.arrayBuffer()).byteLength;
    const deadline = Date.now() + 10_000;
    while ((await objectsOf(accountId)).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));

    const abort = new AbortController();
    const hit = await stack.edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: body(LONG), signal: abort.signal });
    expect(hit.headers.get('x-tts-cache')).toBe('hit');
    const reader = hit.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.cancel().catch(() => {});
    const line = await logLineOf(hit.headers.get('x-request-id')!);
    expect(line.cache).toBe('hit');
    expect(line.outcome).toBe('client_closed');
    expect(line.bytes).toBeLessThan(size / 2);
  });
});
