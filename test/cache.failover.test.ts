import { describe, expect, it } from 'vitest';
import { speak } from './clips.ts';
import { busyWorker } from './harness/gpu-worker.ts';
import { useWorkerPair } from './harness/worker-pair.ts';

/**
 * The audio cache when the worker rendering a miss dies mid-stream: a stream that goes on on the
 * other worker is whole, so it is stored, byte-identical to an uninterrupted take; one that cannot
 * go on (Ogg Opus) is not whole, and leaves nothing.
 */
const TEXT = Array.from({ length: 30 }, (_, i) => `Sentence ${i} goes on for a while so that the stream lasts.`).join(' ');
const pair = useWorkerPair({ edgeVars: { AUDIO_CACHE_MODE: 'on' } });

async function objectsOf(accountId: string) {
  return (await (await pair.edge.mf.getR2Bucket('AUDIO_CACHE')).list({ prefix: `${accountId}/` })).objects;
}

/** Starts the request, reads its first chunk, kills the worker serving it, and reads on; the error if the stream failed. */
async function killedMidStream(key: string, body: Record<string, unknown>): Promise<{ cache: string | null; bytes: Uint8Array; error?: unknown }> {
  const response = await speak(pair.edge, key, body);
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const parts = [(await reader.read()).value!];
  await (await busyWorker(pair.workers)).kill();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
  } catch (error) {
    return { cache: response.headers.get('x-tts-cache'), bytes: new Uint8Array(Buffer.concat(parts)), error };
  }
  return { cache: response.headers.get('x-tts-cache'), bytes: new Uint8Array(Buffer.concat(parts)) };
}

describe('audio cache: a miss whose worker dies mid-stream', () => {
  it('mp3 goes on on the other worker: stored whole, and the next request is a hit with the uninterrupted take’s bytes', async () => {
    const { key, account_id: accountId } = await pair.edge.createKey();
    const body = { model: 'espeak', voice: 'en-male', input: TEXT, response_format: 'mp3' };
    const uninterrupted = new Uint8Array(await (await speak(pair.edge, key, { ...body, cache: 'off' })).arrayBuffer());

    const resumed = await killedMidStream(key, body);
    expect(resumed.cache).toBe('miss');
    expect(resumed.error).toBeUndefined();
    expect(Buffer.from(resumed.bytes).equals(Buffer.from(uninterrupted))).toBe(true);
    await expect.poll(async () => (await objectsOf(accountId)).length, { timeout: 10_000 }).toBe(1);

    const hit = await speak(pair.edge, key, body);
    expect(hit.headers.get('x-tts-cache')).toBe('hit');
    expect(Buffer.from(await hit.arrayBuffer()).equals(Buffer.from(uninterrupted))).toBe(true);
  });

  it('opus cannot go on: the stream fails, nothing is stored, and the same request renders again', async () => {
    const { key, account_id: accountId } = await pair.edge.createKey();
    const body = { model: 'espeak', voice: 'en-male', input: TEXT, response_format: 'opus' };
    const failed = await killedMidStream(key, body);
    expect(failed.cache).toBe('miss');
    // workerd ends a failed raw stream cleanly to the client (README, Known limits): it is short.
    const whole = new Uint8Array(await (await speak(pair.edge, key, { ...body, cache: 'off' })).arrayBuffer());
    expect(failed.bytes.byteLength).toBeLessThan(whole.byteLength);

    const again = await speak(pair.edge, key, body);
    expect(again.headers.get('x-tts-cache')).toBe('miss');
    await again.arrayBuffer();
    // The whole rendering is the only object, stored after it.
    await expect.poll(async () => (await objectsOf(accountId)).length, { timeout: 10_000 }).toBe(1);
  });
});
