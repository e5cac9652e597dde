import { describe, expect, it } from 'vitest';
import { FORMATS } from '../shared/audio/formats.ts';
import { WORKER_PATHS } from '../shared/protocol/worker-api.ts';
import { speak } from './clips.ts';
import { decodeAudio } from './decode-audio.ts';
import { busyWorker } from './harness/gpu-worker.ts';
import { useWorkerPair } from './harness/worker-pair.ts';
import { signedWorkerFetch, synthesisBody } from './worker-client.ts';

// Two real workers behind the edge: when the one serving a stream dies, the other finishes it.
const TEXT = Array.from({ length: 30 }, (_, i) => `Sentence ${i} goes on for a while so that the stream lasts.`).join(' ');

const pair = useWorkerPair();

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, first: Uint8Array): Promise<Uint8Array> {
  const parts = [first];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return new Uint8Array(Buffer.concat(parts));
    parts.push(value);
  }
}

describe('espeak on two workers', () => {
  it('the same request is the same pcm, byte for byte, from either worker', async () => {
    const say = async (worker: (typeof pair.workers)[number]) => {
      const { response } = await signedWorkerFetch(worker.url, worker.secret, WORKER_PATHS.synthesize, { body: synthesisBody({ input: TEXT.slice(0, 400), response_format: 'pcm' }) });
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    const [one, other] = await Promise.all(pair.workers.map(say));
    expect(one!.byteLength).toBeGreaterThan(24_000);
    expect(one!.equals(other!)).toBe(true);
  });
});

describe('a worker that dies mid-stream', () => {
  // espeak repeats itself exactly (gpu-worker/engines/espeak/espeak-instance.ts): the other worker
  // says the same samples, so every format but Ogg Opus (a random serial per stream) continues
  // byte for byte, compressed ones included.
  it.each(['pcm', 'wav', 'mulaw', 'mp3', 'aac', 'flac'] as const)('%s: the stream goes on on the other worker, byte-identical to an uninterrupted take, billed once', async (format) => {
    const whole = await speak(pair.edge, pair.key, { input: TEXT, response_format: format });
    const expected = new Uint8Array(await whole.arrayBuffer());

    const response = await speak(pair.edge, pair.key, { input: TEXT, response_format: format });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const reader = response.body!.getReader();
    const first = (await reader.read()).value!;
    const victim = await busyWorker(pair.workers);
    await victim.kill();
    const received = await readAll(reader, first);

    // The uninterrupted take's bytes exactly: one header, nothing torn or repeated; and it decodes.
    expect(received.byteLength).toBeGreaterThan(first.byteLength);
    expect(Buffer.from(received).equals(Buffer.from(expected))).toBe(true);
    const rate = FORMATS[format].defaultSampleRate;
    expect((await decodeAudio(received, format, rate)).length).toBeGreaterThan(rate * 10);
    await expect.poll(() => pair.edge.logs.find((line) => line.includes(requestId) && line.includes('stream resumed on another worker'))).toBeTruthy();
    expect(pair.edge.logs.some((line) => line.includes(requestId) && line.includes('stream ended early'))).toBe(false);
    const db = await pair.edge.mf.getD1Database('DB');
    // The row follows the settlement (the account's object writes it): poll for it.
    const rows = () => db.prepare('SELECT status, characters, credits_charged, audio_ms FROM usage_ledger WHERE request_id = ?').bind(requestId).all();
    await expect.poll(async () => (await rows()).results.length, { timeout: 15_000 }).toBe(1);
    expect((await rows()).results).toEqual([{ status: 'completed', characters: TEXT.length, credits_charged: TEXT.length, audio_ms: expect.any(Number) }]);
  });

  it('sse: the events go on to speech.audio.done, with the whole length once', async () => {
    const whole = await speak(pair.edge, pair.key, { input: TEXT, response_format: 'pcm' });
    const expected = (await whole.arrayBuffer()).byteLength;

    const response = await speak(pair.edge, pair.key, { input: TEXT, response_format: 'pcm', stream_format: 'sse' });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = (await reader.read()).value ?? '';
    const victim = await busyWorker(pair.workers);
    await victim.kill();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    const events = text.split('\n\n').filter((block) => block.startsWith('data: ')).map((block) => JSON.parse(block.slice(6)) as { type: string; audio?: string });
    expect(events.at(-1)?.type).toBe('speech.audio.done');
    const audioBytes = events.filter((e) => e.type === 'speech.audio.delta').reduce((sum, e) => sum + Buffer.from(e.audio!, 'base64').byteLength, 0);
    expect(Math.abs(audioBytes - expected)).toBeLessThanOrEqual(32);
  });
});
