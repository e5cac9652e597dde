import { describe, expect, it } from 'vitest';
import { busyWorker } from '../../../../test/harness/gpu-worker.ts';
import { ElevenLabsSocketClient, isAudio, isError, isFinal } from '../../../../test/harness/elevenlabs-socket.ts';
import { useWorkerPair } from '../../../../test/harness/worker-pair.ts';

// Two real workers behind the edge; the one speaking the stream's chunk is killed mid-chunk. The
// dialect's socket rides on our realtime session, so it fails over as ours does.
const pair = useWorkerPair();

describe('ElevenLabs stream-input socket: a worker killed mid-stream', () => {
  it.each(['pcm_24000', 'mp3_44100_128'])('loses no text (%s): the other worker speaks the rest, then isFinal', async (outputFormat) => {
    const text = Array.from({ length: 6 }, (_, i) => `Sentence ${i} is long enough that the worker is still speaking it when it dies. `).join('');
    const client = await ElevenLabsSocketClient.open(pair.edge.url, { key: pair.key, query: { output_format: outputFormat } });
    client.send({ text: ' ', generation_config: { chunk_length_schedule: [500] } });
    client.send({ text });
    client.send({ text: '' });
    await client.waitFor(isAudio());
    await (await busyWorker(pair.workers)).kill();
    await client.waitFor(isFinal());
    expect((await client.waitForClose()).code).toBe(1000);
    expect(client.received.filter(isError)).toEqual([]);
    // Every character once, in order, though a word cut off by the death may be spoken twice.
    expect(client.alignedText()).toBe(text);
  });
});
