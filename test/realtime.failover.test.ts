import { describe, expect, it } from 'vitest';
import { isType, RealtimeClient } from './harness/realtime-client.ts';
import { busyWorker } from './harness/gpu-worker.ts';
import { useWorkerPair } from './harness/worker-pair.ts';

// Two real workers behind the edge; the one speaking a context's chunk is killed mid-chunk.
const pair = useWorkerPair();

const words = (text: string) => text.match(/[\p{L}\p{N}']+/gu) ?? [];

describe('realtime socket: a worker killed mid-context', () => {
  // mp3 from espeak cannot be spliced byte for byte (espeak has no seed), so the chunk is spoken
  // again on the other worker from the first word the client had not heard whole.
  it('loses no text: the rest of the chunk is spoken by the other worker', async () => {
    const text = Array.from({ length: 6 }, (_, i) => `Sentence ${i} is long enough that the worker is still speaking it when it dies.`).join(' ');
    const client = await RealtimeClient.open(pair.edge.url, { key: pair.key });
    client.send({ type: 'config', response_format: 'mp3', chunking: { boundary: 'sentence', max_characters: 1000, max_delay_ms: 1000 } });
    await client.waitFor(isType('ready'));
    client.send({ type: 'text', text });
    client.send({ type: 'close' });
    await client.waitFor(isType('audio'));
    await (await busyWorker(pair.workers)).kill();
    const done = await client.waitFor(isType('done'));
    client.close();
    expect(done.reason).toBe('closed');
    expect(client.received.filter(isType('error'))).toEqual([]);
    // Every word of the text was heard; a word cut off by the death may be heard twice.
    const heard = client.received.filter(isType('audio')).flatMap((m) => m.timestamps.map((w) => w.word));
    const expected = words(text);
    let at = 0;
    for (const word of heard) if (word === expected[at]) at++;
    expect(at).toBe(expected.length);
    expect(heard.length - expected.length).toBeLessThanOrEqual(2);
  });
});
