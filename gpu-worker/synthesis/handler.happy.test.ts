import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerTiming } from '../../shared/protocol/server-timing.ts';
import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import { probeAudio } from '../../test/decode-audio.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';
import { signedWorkerFetch, synthesisBody } from '../../test/worker-client.ts';

let worker: GpuWorkerHarness;
beforeAll(async () => {
  worker = await startGpuWorker();
});
afterAll(() => worker?.stop());

const synthesize = (overrides: Partial<WorkerSynthesisRequest>) =>
  signedWorkerFetch(worker.url, worker.secret, '/v1/synthesize', { body: synthesisBody(overrides) }).then(({ response }) => response);

const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());

describe('POST /v1/synthesize', () => {
  it('resume_at_byte on espeak: the rest of the very same bytes, for fixed-size samples and compressed formats alike', async () => {
    const input = 'A stream cut short is finished by another worker.';
    for (const format of ['wav', 'mp3', 'aac', 'flac'] as const) {
      const whole = await bytesOf(await synthesize({ input, response_format: format }));
      const cut = Math.floor(whole.byteLength / 3) | 1; // odd: a sample (or a frame) split between two workers
      const rest = await bytesOf(await synthesize({ input, response_format: format, resume_at_byte: cut }));
      // espeak repeats itself exactly (espeak-instance.ts), so the rest is the whole's, byte for byte: no second header.
      expect(Buffer.from(rest).equals(Buffer.from(whole.subarray(cut))), format).toBe(true);
    }
  });

  it('speaks each segment in its own language, one after the other, in one stream', async () => {
    const segments = [
      { text: 'Good morning. ', language: 'en' },
      { text: 'Guten Morgen.', language: 'de' },
    ];
    const request_id = `segments-${crypto.randomUUID()}`;
    const mixed = await bytesOf(await synthesize({ request_id, input: segments.map((s) => s.text).join(''), segments, language: 'en' }));
    const [english, german] = await Promise.all(segments.map(async (s) => bytesOf(await synthesize({ input: s.text, language: s.language }))));
    // Within a few resampler samples of the two spoken apart, and not the German said as English.
    expect(Math.abs(mixed.byteLength - english!.byteLength - german!.byteLength)).toBeLessThan(200);
    const asEnglish = await bytesOf(await synthesize({ input: segments[1]!.text, language: 'en' }));
    expect(asEnglish.byteLength).not.toBe(german!.byteLength);
    await expect.poll(() => worker.logs.find((e) => e.request_id === request_id)).toMatchObject({ message: 'synthesized', languages: ['en', 'de'] });
  });

  it('says its queue wait and time to first audio in Server-Timing', async () => {
    const response = await synthesize({});
    const timings = parseServerTiming(response.headers.get('server-timing'));
    expect(timings.queue).toBeGreaterThanOrEqual(0);
    expect(timings.first_audio).toBeGreaterThan(0);
    expect(timings.first_audio).toBeGreaterThanOrEqual(timings.queue!);
    await response.arrayBuffer();
  });

  it('outputs the rate asked for', async () => {
    const response = await synthesize({ response_format: 'pcm', sample_rate: 8000 });
    expect(response.headers.get('x-audio-sample-rate')).toBe('8000');
    const at8k = (await bytesOf(response)).byteLength;
    const at24k = (await bytesOf(await synthesize({ response_format: 'pcm' }))).byteLength;
    expect(Math.abs(at8k * 3 - at24k)).toBeLessThan(12);
  });

  it('encodes at the bitrate asked for, and at 32 kHz', async () => {
    const input = 'The bitrate asked for is the bitrate in the frames.';
    const asked = await bytesOf(await synthesize({ input, response_format: 'mp3', sample_rate: 32_000, bitrate: 128_000 }));
    expect(await probeAudio(asked)).toMatchObject({ codec: 'mp3', sampleRate: 32_000, bitrate: 128_000 });
    const byDefault = await bytesOf(await synthesize({ input, response_format: 'mp3', sample_rate: 32_000 }));
    expect(await probeAudio(byDefault)).toMatchObject({ codec: 'mp3', sampleRate: 32_000, bitrate: 64_000 });
    // Constant bitrate: twice the bits a second, the same audio, about twice the bytes.
    expect(asked.byteLength / byDefault.byteLength).toBeCloseTo(2, 1);
  });
});

describe('POST /v1/synthesize refusals', () => {
  it('a rate the format does not offer: 400 unsupported_sample_rate', async () => {
    const response = await synthesize({ response_format: 'opus', sample_rate: 22_050 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_sample_rate', param: 'sample_rate' } });
  });

  it('a bitrate the format does not offer at the rate, or a format that takes none: 400 unsupported_bitrate', async () => {
    for (const refused of [
      { response_format: 'mp3', sample_rate: 24_000, bitrate: 192_000 },
      { response_format: 'opus', bitrate: 500_000 },
      { response_format: 'wav', bitrate: 384_000 },
    ] as const) {
      const response = await synthesize(refused);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'unsupported_bitrate', param: 'bitrate' } });
    }
  });

  it('resuming a format whose bytes are not reproducible: 400 not_resumable', async () => {
    const response = await synthesize({ response_format: 'opus', resume_at_byte: 100 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'not_resumable' } });
  });

  it('a segment in a language the model does not speak: 422 unsupported_language', async () => {
    const response = await synthesize({ segments: [{ text: 'Hello.', language: 'en' }, { text: 'Hej.', language: 'sv' }] });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_language' } });
  });
});
