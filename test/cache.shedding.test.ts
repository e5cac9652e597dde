import { describe, expect, it } from 'vitest';
import { speak } from './clips.ts';
import { useOneSlotPool } from './harness/one-slot-pool.ts';

// As test/load-shedding.test.ts: one real worker with one slot, behind an edge whose first-audio
// budget (1 ms) a full worker exceeds, so a new stream is shed while one plays; the audio cache on.
const slot = useOneSlotPool({ AUDIO_CACHE_MODE: 'on' });
const LONG = 'This sentence is long enough to keep the only slot of the worker busy while others knock. '.repeat(6);
const CACHED = { input: 'Your call is important to us.', response_format: 'pcm' };

describe('audio cache under load shedding', () => {
  it('with the only slot playing, a request the cache has is served from it; one it has not is refused 503 pool_saturated', async () => {
    const first = await speak(slot.edge, slot.key, CACHED);
    expect(first.headers.get('x-tts-cache')).toBe('miss');
    const audio = Buffer.from(await first.arrayBuffer());
    // Stored, and the worker has told the pool its time to first audio (over the budget) and that it is idle.
    await expect.poll(async () => (await speak(slot.edge, slot.key, CACHED)).headers.get('x-tts-cache'), { timeout: 10_000 }).toBe('hit');
    await expect.poll(async () => (await slot.pool())[0]!.load, { timeout: 10_000 }).toMatchObject({ active: 0, queued: 0, ttfa_ms: expect.any(Number) });

    const playing = await speak(slot.edge, slot.key, { input: LONG, response_format: 'pcm', cache: 'off' });
    expect(playing.status).toBe(200);
    const reader = playing.body!.getReader();
    await reader.read();

    const hit = await speak(slot.edge, slot.key, CACHED);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-tts-cache')).toBe('hit');
    expect(Buffer.from(await hit.arrayBuffer()).equals(audio)).toBe(true);

    for (const body of [{ input: 'Not said before.', response_format: 'pcm' }, { ...CACHED, cache: 'off' }]) {
      const refused = await speak(slot.edge, slot.key, body);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ error: { type: 'service_unavailable', code: 'pool_saturated' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // The playing stream was never cut.
    while (!(await reader.read()).done);
  });
});
