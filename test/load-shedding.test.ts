import { describe, expect, it } from 'vitest';
import { speak } from './clips.ts';
import { isType, RealtimeClient } from './harness/realtime-client.ts';
import { useOneSlotPool } from './harness/one-slot-pool.ts';

// One real worker serving one stream at a time, joined by heartbeat, behind an edge whose
// first-audio budget (1 ms) any full worker exceeds: a second stream is shed, the first plays on.
const slot = useOneSlotPool();
const pool = () => slot.pool();
const LONG = 'This sentence is long enough to keep the only slot of the worker busy while others knock. '.repeat(6);

describe('load shedding', () => {
  it('with room, a request is served; with the only slot playing, a new one is refused 503 pool_saturated at once and the playing stream completes whole', async () => {
    // With room (and before any time to first audio is known): served as ever.
    const warm = await speak(slot.edge, slot.key, { input: 'Warming up the worker.', response_format: 'pcm' });
    expect(warm.status).toBe(200);
    await warm.arrayBuffer();
    // The worker has told the pool its time to first audio (over the 1 ms budget) and that it is idle.
    await expect.poll(async () => (await pool())[0]!.load, { timeout: 10_000 }).toMatchObject({ active: 0, queued: 0, ttfa_ms: expect.any(Number) });
    expect((await pool())[0]!.load.ttfa_ms).toBeGreaterThan(1);

    const events: string[] = [];
    const playing = await speak(slot.edge, slot.key, { input: LONG, response_format: 'pcm' });
    expect(playing.status).toBe(200);
    const requestId = playing.headers.get('x-request-id');
    const reader = playing.body!.getReader();
    let received = (await reader.read()).value?.byteLength ?? 0;
    const finished = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
      }
      events.push('playing stream ended');
    })();

    const refused = await speak(slot.edge, slot.key, { input: 'May I speak too?', response_format: 'pcm' });
    events.push('new request answered');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { type: 'service_unavailable', code: 'pool_saturated' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Refused before admission: no credits were reserved, so no balance is reported.
    expect(refused.headers.get('x-credits-remaining')).toBeNull();

    await finished;
    expect(events).toEqual(['new request answered', 'playing stream ended']);
    // Whole: every byte the worker says it sent reached the client.
    const line = await slot.worker.logLine('synthesized', requestId);
    expect(received).toBe(line.bytes);

    // Room again (the worker has said it is idle): served as before.
    await expect.poll(async () => (await pool())[0]!.load.active, { timeout: 10_000 }).toBe(0);
    const after = await speak(slot.edge, slot.key, { input: 'Room again.', response_format: 'pcm' });
    expect(after.status).toBe(200);
    expect((await after.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('requests arriving together are judged one after another: with one slot, one is served and the rest refused, not queued behind it', async () => {
    await expect.poll(async () => (await pool())[0]!.load, { timeout: 10_000 }).toMatchObject({ active: 0, queued: 0 });
    // All three pass the checks before admission at about the same moment, before any reaches the
    // worker: the first one through holds the slot for the rest to see.
    const answers = await Promise.all([1, 2, 3].map(() => speak(slot.edge, slot.key, { input: LONG, response_format: 'pcm' })));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 503, 503]);
    for (const answer of answers) {
      if (answer.status === 503) expect(await answer.json()).toMatchObject({ error: { code: 'pool_saturated' } });
      else await answer.arrayBuffer();
    }
  });

  it('a request refused by admission gives back the slot shedding held for it: the next one is served', async () => {
    await expect.poll(async () => (await pool())[0]!.load, { timeout: 10_000 }).toMatchObject({ active: 0, queued: 0 });
    const { key: broke } = await slot.edge.createKey({ credits: 0 });
    const refused = await speak(slot.edge, broke, { input: 'No credits for this.', response_format: 'pcm' });
    expect(refused.status).toBe(402);
    await refused.arrayBuffer();
    const served = await speak(slot.edge, slot.key, { input: 'Room for this one.', response_format: 'pcm' });
    expect(served.status).toBe(200);
    expect((await served.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('a realtime socket: its first chunk is shed while the only slot plays; a socket already speaking is not cut, its next chunk waits its turn', async () => {
    await expect.poll(async () => (await pool())[0]!.load.active, { timeout: 10_000 }).toBe(0);
    const speaking = await RealtimeClient.open(slot.edge.url, { key: slot.key });
    speaking.send({ type: 'config', response_format: 'pcm' });
    await speaking.waitFor(isType('ready'));
    speaking.send({ type: 'text', text: 'First words.', context_id: 'one' });
    speaking.send({ type: 'close', context_id: 'one' });
    expect((await speaking.waitFor(isType('done', 'one'))).reason).toBe('closed');

    // The only slot taken by a playing HTTP stream.
    const playing = await speak(slot.edge, slot.key, { input: LONG, response_format: 'pcm' });
    expect(playing.status).toBe(200);
    const reader = playing.body!.getReader();
    await reader.read();
    let playingEnded = false;
    const drained = (async () => {
      while (!(await reader.read()).done);
      playingEnded = true;
    })();

    const fresh = await RealtimeClient.open(slot.edge.url, { key: slot.key });
    fresh.send({ type: 'config', response_format: 'pcm' });
    await fresh.waitFor(isType('ready'));
    fresh.send({ type: 'text', text: 'May I speak?', context_id: 'x' });
    fresh.send({ type: 'close', context_id: 'x' });
    const refusal = await fresh.waitFor(isType('error', 'x'));
    expect(refusal).toMatchObject({ code: 'pool_saturated', context_id: 'x' });
    expect(refusal.retry_after_seconds).toBeGreaterThanOrEqual(1);

    // The socket that has spoken is a playing stream: its next chunk is not refused for load,
    // though the slot is still taken.
    expect(playingEnded).toBe(false);
    speaking.send({ type: 'text', text: 'More words.', context_id: 'two' });
    speaking.send({ type: 'close', context_id: 'two' });
    expect((await speaking.waitFor(isType('done', 'two'))).reason).toBe('closed');
    expect(speaking.received.filter(isType('error'))).toEqual([]);
    expect(speaking.received.some((m) => m.type === 'audio' && m.context_id === 'two')).toBe(true);
    await drained;
    speaking.close();
    fresh.close();
  });
});
