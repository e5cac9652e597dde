import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { isType, RealtimeClient, type Received } from './harness/realtime-client.ts';
import { useStack } from './harness/stack.ts';

const stack = useStack();

async function configured(config: Record<string, unknown> = {}): Promise<RealtimeClient> {
  const client = await RealtimeClient.open(stack.edge.url, { key: stack.key });
  client.send({ type: 'config', response_format: 'pcm', ...config });
  await client.waitFor(isType('ready'));
  return client;
}

const wordsOf = (client: RealtimeClient, contextId: string): WordTimestamp[] =>
  client.received.filter(isType('audio', contextId)).flatMap((message) => message.timestamps);
const pcmMs = (bytes: Uint8Array, rate = 24_000) => (bytes.byteLength / 2 / rate) * 1000;
const words = (text: string) => text.match(/[\p{L}\p{N}']+/gu) ?? [];

/** From sending a speech request to its first audio byte, as the client sees it: the median of three, after a warm-up. */
async function httpTimeToFirstAudio(input: string): Promise<number> {
  const took: number[] = [];
  for (let round = 0; round < 4; round++) {
    const sentAt = performance.now();
    const response = await stack.edge.fetch('/v1/audio/speech', { key: stack.key, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input, response_format: 'pcm' }) });
    const reader = response.body!.getReader();
    await reader.read();
    if (round > 0) took.push(performance.now() - sentAt);
    await reader.cancel();
  }
  return took.sort((a, b) => a - b)[1]!;
}

/** The engine steps a worker has run, from its Prometheus counter. */
async function engineSteps(): Promise<number> {
  const metrics = await (await fetch(`${stack.worker.url}/metrics`)).text();
  return Number(/^tts_engine_step_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? 'NaN');
}

describe('realtime socket: text in as an LLM writes it, audio out as it is made', () => {
  it('first audio comes within one worker time to first audio of the first sentence end, not after the answer', async () => {
    const first = 'Hello there, this is the first sentence.';
    const rest = ' And after it the model keeps on writing for a good while longer, word after word, so the whole answer takes seconds to arrive.';
    const client = await configured();
    // Steady state: the first synthesis of a fresh worker and isolate is slower (code not yet
    // compiled, ICU data loading), once; one short utterance takes that out of the figure.
    client.send({ type: 'text', text: 'Warm up.', context_id: 'warm-up' });
    client.send({ type: 'close', context_id: 'warm-up' });
    await client.waitFor(isType('done', 'warm-up'));
    const tokens = (first + rest).match(/\s*\S+/g)!;
    let sentenceEndAt = 0;
    let sent = '';
    for (const token of tokens) {
      client.send({ type: 'text', text: token });
      sent += token;
      if (sent === first) sentenceEndAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1000 / 30)); // 30 tokens a second
    }
    const feedEndedAt = performance.now();
    client.send({ type: 'close' });
    const firstAudio = await client.waitFor(isType('audio', 'default'));
    const done = await client.waitFor(isType('done', 'default'));
    client.close();

    // The time to first audio of that sentence over HTTP through the same edge, as a client sees it.
    const httpFirstAudioMs = await httpTimeToFirstAudio(first);
    const lag = firstAudio.at - sentenceEndAt;
    console.log(`realtime: first audio ${lag.toFixed(0)} ms after the first sentence ended; over HTTP the same sentence's first audio took ${httpFirstAudioMs.toFixed(0)} ms`);
    expect(firstAudio.at).toBeLessThan(feedEndedAt); // audio while the "LLM" still writes
    // One time to first audio (with room for this shared machine), not the 1 s chunking delay or the whole answer.
    expect(lag).toBeLessThan(httpFirstAudioMs + 200);
    expect(done).toMatchObject({ reason: 'closed', usage: { characters: [...(first + rest)].length } });
    // Every word was spoken, in order, once.
    expect(wordsOf(client, 'default').map((w) => w.word).join(' ')).toEqual(words(first + rest).join(' '));
  });

  it('word timestamps run on the context clock across chunks, inside the audio, and slice the text', async () => {
    const client = await configured();
    const text = 'One sentence here. Then another one follows. And a third.';
    client.send({ type: 'text', text });
    client.send({ type: 'close' });
    const done = await client.waitFor(isType('done'));
    client.close();
    const timestamps = wordsOf(client, 'default');
    const audioMs = pcmMs(client.audioOf('default'));
    expect(timestamps.map((w) => w.word)).toEqual(words(text));
    for (const [i, word] of timestamps.entries()) {
      expect([...text].slice(word.char_start, word.char_end).join('')).toBe(word.word);
      expect(word.start_ms).toBeLessThan(audioMs);
      expect(word.end_ms).toBeGreaterThanOrEqual(word.start_ms);
      if (i > 0) expect(word.start_ms).toBeGreaterThanOrEqual(timestamps[i - 1]!.start_ms);
    }
    expect(done.usage.audio_ms).toBeCloseTo(audioMs, -1);
  });

  it('two contexts interleave on one socket without mixing their audio', async () => {
    const client = await configured();
    // Long enough (six chunks each) that neither can be over before the other has begun.
    const a = Array.from({ length: 6 }, (_, i) => `Alpha context speaks sentence ${i + 1}.`).join(' ');
    const b = Array.from({ length: 6 }, (_, i) => `Bravo says something else, part ${i + 1}.`).join(' ');
    client.send({ type: 'text', text: a, context_id: 'a' });
    client.send({ type: 'text', text: b, context_id: 'b' });
    client.send({ type: 'close', context_id: 'a' });
    client.send({ type: 'close', context_id: 'b' });
    const [doneA, doneB] = await Promise.all([client.waitFor(isType('done', 'a')), client.waitFor(isType('done', 'b'))]);
    client.close();
    const order = client.received.filter(isType('audio')).map((m) => m.context_id);
    const firstB = order.indexOf('b');
    expect(firstB).toBeGreaterThan(-1);
    expect(order.lastIndexOf('a')).toBeGreaterThan(firstB); // they really overlapped
    expect(wordsOf(client, 'a').map((w) => w.word)).toEqual(words(a));
    expect(wordsOf(client, 'b').map((w) => w.word)).toEqual(words(b));
    expect(doneA.usage.audio_ms).toBeCloseTo(pcmMs(client.audioOf('a')), -1);
    expect(doneB.usage.audio_ms).toBeCloseTo(pcmMs(client.audioOf('b')), -1);
  });

  it('cancel stops the audio within 100 ms and the worker runs no further engine steps for it', async () => {
    // One long chunk (a sentence of clauses), so the worker is still making it when the cancel comes.
    const client = await configured({ chunking: { boundary: 'sentence', max_characters: 1000, max_delay_ms: 1000 } });
    const ready = client.received.find(isType('ready'))!;
    const long = `${Array.from({ length: 16 }, (_, i) => `this is clause number ${i} of a long answer`).join(', ')}, which the user interrupts.`;
    client.send({ type: 'text', text: long });
    client.send({ type: 'flush' });
    await client.waitFor(isType('audio'));
    const cancelledAt = performance.now();
    const cancelledAtEpoch = Date.now();
    client.send({ type: 'cancel' });
    const done = await client.waitFor(isType('done'));
    expect(done.reason).toBe('cancelled');
    const late = client.received.filter((m): m is Received => m.type === 'audio' && m.at > cancelledAt + 100);
    expect(late).toEqual([]);
    // The worker heard it: it logged the chunk's synthesis as cancelled (not finished)...
    const chunkId = `${ready.session_id}.default.0`;
    const cancelledLine = () => stack.worker.logs.find((line) => line.message === 'synthesis cancelled' && line.request_id === chunkId);
    await expect.poll(cancelledLine, { timeout: 5000 }).toBeDefined();
    const cancelled = cancelledLine()!;
    expect(stack.worker.logs.some((line) => line.message === 'synthesized' && line.request_id === chunkId)).toBe(false);
    expect(Date.parse(String(cancelled.time)) - cancelledAtEpoch).toBeLessThan(1000);
    // ...and ran no engine step after: once nothing is open on it, its step count holds still
    // (espeak runs a step every few ms while it speaks, so half a second would show dozens more).
    await expect.poll(async () => ((await (await fetch(`${stack.worker.url}/readyz`)).json()) as { active: number }).active, { timeout: 5000 }).toBe(0);
    const stepsThen = await engineSteps();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await engineSteps()).toBe(stepsThen);
    client.close();
  });

  it('text sent right behind the config waits for it instead of being refused', async () => {
    const client = await RealtimeClient.open(stack.edge.url, { key: stack.key });
    client.send({ type: 'config', response_format: 'pcm' });
    client.send({ type: 'text', text: 'No waiting for ready.' });
    client.send({ type: 'close' });
    expect((await client.waitFor(isType('done'))).reason).toBe('closed');
    expect(client.received.filter(isType('error'))).toEqual([]);
    expect(client.received[0]?.type).toBe('ready');
    client.close();
  });

  it('binary sessions send a JSON header and then the raw bytes', async () => {
    const client = await configured({ binary: true, response_format: 'mulaw' });
    client.send({ type: 'text', text: 'Binary frames please.' });
    client.send({ type: 'close' });
    const done = await client.waitFor(isType('done'));
    client.close();
    const audio = client.received.filter(isType('audio'));
    expect(audio.length).toBeGreaterThan(0);
    for (const message of audio) {
      expect(message.audio).toBeUndefined();
      expect(message.data?.byteLength).toBe(message.bytes);
    }
    expect(done.usage.audio_ms).toBeCloseTo((client.audioOf('default').byteLength / 8000) * 1000, -1);
  });
});
