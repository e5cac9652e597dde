import { describe, expect, it } from 'vitest';
import type { WordTimestamp } from '../shared/protocol/timed-audio.ts';
import { decodeAudio, probeAudio } from './decode-audio.ts';
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

/** The engine steps a worker has run, from its Prometheus counter. */
async function engineSteps(): Promise<number> {
  const metrics = await (await fetch(`${stack.worker.url}/metrics`)).text();
  return Number(/^tts_engine_step_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? 'NaN');
}

describe('realtime socket: text in as an LLM writes it, audio out as it is made', () => {
  it('first audio comes at the first sentence end, while the answer is still being written', async () => {
    const first = 'Hello there, this is the first sentence.';
    const rest = ' And after it the model keeps on writing for a good while longer, word after word, so the whole answer takes seconds to arrive.';
    // Text without a boundary waits up to 10 s: audio sooner than that came from the sentence end.
    const client = await configured({ chunking: { boundary: 'sentence', max_characters: 250, max_delay_ms: 10_000 } });
    for (const token of first.match(/\s*\S+/g)!) client.send({ type: 'text', text: token }); // as an LLM writes it
    // The rest of the answer is held back until audio comes: no close, no flush, no more text.
    const firstAudio = await client.waitFor(isType('audio', 'default'), 8_000);
    expect(firstAudio.timestamps.map((w) => w.word)).toEqual(words(first).slice(0, firstAudio.timestamps.length));
    for (const token of rest.match(/\s*\S+/g)!) client.send({ type: 'text', text: token });
    client.send({ type: 'close' });
    const done = await client.waitFor(isType('done', 'default'));
    client.close();
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

  it('word offsets index the text as sent, after a blank line and a flush of whitespace alone', async () => {
    const client = await configured();
    const pieces = ['First line here.\n', '\n', ' ', 'Second line here.'];
    client.send({ type: 'text', text: pieces[0]! });
    client.send({ type: 'text', text: pieces[1]! });
    client.send({ type: 'flush' });
    client.send({ type: 'text', text: pieces[2]! });
    client.send({ type: 'flush' });
    client.send({ type: 'text', text: pieces[3]! });
    client.send({ type: 'close' });
    const done = await client.waitFor(isType('done'));
    client.close();
    const text = pieces.join('');
    const timestamps = wordsOf(client, 'default');
    expect(timestamps.map((w) => w.word)).toEqual(words(text));
    for (const word of timestamps) expect([...text].slice(word.char_start, word.char_end).join('')).toBe(word.word);
    expect(done.usage.characters).toBe([...text].length);
  });

  it('two contexts interleave on one socket without mixing their audio', async () => {
    const client = await configured();
    // Long enough (six chunks each) that neither can be over before the other has begun.
    // Sentences end in words: a full stop after a digit is held back (the text may go on as "1.5").
    const counts = ['one', 'two', 'three', 'four', 'five', 'six'];
    const a = counts.map((count) => `Alpha context speaks sentence ${count}.`).join(' ');
    const b = counts.map((count) => `Bravo says something else, part ${count}.`).join(' ');
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

  it('cancel stops the audio: none after its done, the worker cut the synthesis and runs no further engine steps for it', async () => {
    // One long chunk (a sentence of clauses), so the worker is still making it when the cancel comes.
    const client = await configured({ chunking: { boundary: 'sentence', max_characters: 1000, max_delay_ms: 1000 } });
    const ready = client.received.find(isType('ready'))!;
    const long = `${Array.from({ length: 16 }, (_, i) => `this is clause number ${i} of a long answer`).join(', ')}, which the user interrupts.`;
    client.send({ type: 'text', text: long });
    client.send({ type: 'flush' });
    await client.waitFor(isType('audio'));
    client.send({ type: 'cancel' });
    const done = await client.waitFor(isType('done'));
    expect(done.reason).toBe('cancelled');
    // Audio sent before the server read the cancel may still arrive, but none after its done: a
    // later context's whole answer on the same socket is the mark that anything late has arrived.
    client.send({ type: 'text', text: 'After the cancel.', context_id: 'after' });
    client.send({ type: 'close', context_id: 'after' });
    await client.waitFor(isType('done', 'after'));
    const afterDone = client.received.slice(client.received.indexOf(done));
    expect(afterDone.filter(isType('audio', 'default'))).toEqual([]);
    // The worker heard it: it logged the chunk's synthesis as cancelled (not finished)...
    const chunkId = `${ready.session_id}.default.0`;
    const cancelledLine = () => stack.worker.logs.find((line) => line.message === 'synthesis cancelled' && line.request_id === chunkId);
    await expect.poll(cancelledLine, { timeout: 5000 }).toBeDefined();
    expect(stack.worker.logs.some((line) => line.message === 'synthesized' && line.request_id === chunkId)).toBe(false);
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

  it('mp3 at the rate and bitrate the config asks for: its chunks join into one stream of them', async () => {
    const client = await configured({ response_format: 'mp3', sample_rate: 32_000, bitrate: 128_000 });
    client.send({ type: 'text', text: 'The first chunk is one sentence. The second chunk is another one.' });
    client.send({ type: 'close' });
    const done = await client.waitFor(isType('done'));
    client.close();
    const audio = client.audioOf('default');
    expect(await probeAudio(audio)).toMatchObject({ codec: 'mp3', sampleRate: 32_000, bitrate: 128_000 });
    // Give or take each chunk's priming and last frame.
    const decodedMs = ((await decodeAudio(audio, 'mp3', 32_000)).length / 32_000) * 1000;
    expect(Math.abs(done.usage.audio_ms - decodedMs)).toBeLessThan(2 * ((1105 + 1152) / 32_000) * 1000);
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
