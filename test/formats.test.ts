import { describe, expect, it } from 'vitest';
import { deliveredAudioMs } from '../edge/accounts/settlement.ts';
import { FORMATS } from '../shared/audio/formats.ts';
import { RESPONSE_FORMATS, type ResponseFormat } from '../shared/schemas/speech.ts';
import { rms } from './audio-checks.ts';
import { CODEC_EXTRA_SAMPLES, decodeAudio, probeAudio } from './decode-audio.ts';
import { useStack } from './harness/stack.ts';

// Every format through the whole stack: edge in workerd, a real worker, an independent decoder.
const stack = useStack();

const speech = (body: Record<string, unknown>, signal?: AbortSignal) =>
  stack.edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key: stack.key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ voice: 'en-female', language: 'en', ...body }),
    ...(signal ? { signal } : {}),
  });

const SHORT = 'Every format carries the same words, and a decoder hears them all.';
const LONG = Array.from({ length: 40 }, (_, i) => `Sentence ${i} keeps the stream going while the client listens.`).join(' ');
/** How far a decoded length may be from the pcm take: espeak's takes differ a little, plus codec priming and padding. */
const durationTolerance = (format: ResponseFormat, rate: number) => 0.04 + (CODEC_EXTRA_SAMPLES[format] ?? 0) / rate;

async function workerIsGenerating(): Promise<boolean> {
  const stats = (await (await fetch(`${stack.worker.url}/readyz`)).json()) as { active: number };
  return stats.active > 0;
}

describe.each(RESPONSE_FORMATS)('response_format %s', (format: ResponseFormat) => {
  const rate = FORMATS[format].defaultSampleRate;

  it('streams: the first bytes arrive while the worker is still generating, and what came so far decodes', async () => {
    const abort = new AbortController();
    const response = await speech({ input: LONG, response_format: format }, abort.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(FORMATS[format].contentType);
    expect(response.headers.get('x-audio-sample-rate')).toBe(String(rate));
    const reader = response.body!.getReader();
    const parts: Uint8Array[] = [];
    let bytes = 0;
    // Enough for a few codec frames (FLAC's first frame holds 4096 samples).
    while (bytes < 24_000) {
      const { done, value } = await reader.read();
      expect(done).toBe(false);
      parts.push(value!);
      bytes += value!.byteLength;
    }
    // Forty sentences take seconds to say; a body sent as one blob at the end would not be here yet.
    expect(await workerIsGenerating()).toBe(true);
    const prefix = await decodeAudio(new Uint8Array(Buffer.concat(parts)), format, rate);
    expect(prefix.length / rate).toBeGreaterThan(0.2);
    expect(rms(prefix)).toBeGreaterThan(0.01);
    abort.abort();
    await reader.cancel().catch(() => {});
  });

  it('decodes whole to the length of the same speech as pcm', async () => {
    const reference = new Uint8Array(await (await speech({ input: SHORT, response_format: 'pcm' })).arrayBuffer());
    const expectedSeconds = reference.byteLength / 2 / 24_000;
    // Streaming is the test above's (it holds the worker mid-sentence); whether a short take arrives in
    // one read or several depends on how fast this process reads, so it is not asserted here.
    const bytes = new Uint8Array(await (await speech({ input: SHORT, response_format: format })).arrayBuffer());
    const decoded = await decodeAudio(bytes, format, rate);
    expect(Math.abs(decoded.length / rate - expectedSeconds)).toBeLessThan(durationTolerance(format, rate));
    expect(rms(decoded)).toBeGreaterThan(0.02);
  });

  it('is metered at no more audio than its bytes decode to (an early end is never charged more than it got)', async () => {
    const bytes = new Uint8Array(await (await speech({ input: LONG.slice(0, 600), response_format: format })).arrayBuffer());
    const decodedMs = ((await decodeAudio(bytes, format, rate)).length / rate) * 1000;
    const meteredMs = deliveredAudioMs(bytes.byteLength, format, rate);
    expect(meteredMs).toBeLessThanOrEqual(decodedMs + 5);
    // And not far short of it either, for the formats whose size says their length exactly.
    if (FORMATS[format].splice === 'samples') expect(meteredMs).toBeGreaterThan(decodedMs - 50);
  });
});

describe('sample_rate', () => {
  it.each([
    ['mulaw', 'default', 8000],
    ['alaw', 16_000, 16_000],
    ['pcm', 8000, 8000],
    ['wav', 48_000, 48_000],
    ['mp3', 16_000, 16_000],
    ['opus', 48_000, 48_000],
    ['pcm', 32_000, 32_000],
    ['wav', 32_000, 32_000],
    ['mp3', 32_000, 32_000],
    ['aac', 32_000, 32_000],
    ['flac', 32_000, 32_000],
  ] as const)('%s at sample_rate %s is %s Hz audio of the right length', async (format, requested, expected) => {
    const reference = new Uint8Array(await (await speech({ input: SHORT, response_format: 'pcm' })).arrayBuffer());
    const expectedSeconds = reference.byteLength / 2 / 24_000;
    const response = await speech({ input: SHORT, response_format: format, ...(requested === 'default' ? {} : { sample_rate: requested }) });
    expect(response.headers.get('x-audio-sample-rate')).toBe(String(expected));
    const bytes = new Uint8Array(await response.arrayBuffer());
    // What the container says, for those that say it (raw samples do not).
    if (!['pcm', 'mulaw', 'alaw'].includes(format)) expect((await probeAudio(bytes)).sampleRate).toBe(expected);
    const decoded = await decodeAudio(bytes, format, expected);
    expect(Math.abs(decoded.length / expected - expectedSeconds)).toBeLessThan(durationTolerance(format, expected));
  });
});

describe('bitrate', () => {
  /**
   * What ffprobe may read of a whole answer against what was asked: MP3's frame headers say the
   * constant bitrate; Opus aims at an average, which it nears on speech, plus its Ogg pages (about
   * 6 kb/s, and the two header pages on a clip of a few seconds; 32 kb/s read 39.4 here).
   */
  const tolerance = (format: 'mp3' | 'opus', bitrate: number) => (format === 'mp3' ? [bitrate, bitrate] : [bitrate * 0.8, bitrate * 1.05 + 10_000]);

  it.each([
    ['mp3', 44_100, [32_000, 128_000, 192_000]],
    ['opus', 48_000, [32_000, 128_000]],
  ] as const)('%s at %d Hz at %j b/s: ffprobe reads that rate and about that bitrate, more for more, of the same speech', async (format, rate, bitrates) => {
    const reference = new Uint8Array(await (await speech({ input: SHORT, response_format: 'pcm' })).arrayBuffer());
    const expectedSeconds = reference.byteLength / 2 / 24_000;
    const measured: number[] = [];
    for (const bitrate of bitrates) {
      const response = await speech({ input: SHORT, response_format: format, sample_rate: rate, bitrate });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-audio-sample-rate')).toBe(String(rate));
      const bytes = new Uint8Array(await response.arrayBuffer());
      const probed = await probeAudio(bytes);
      expect(probed).toMatchObject({ codec: format, sampleRate: rate });
      const [low, high] = tolerance(format, bitrate);
      expect(probed.bitrate, `${bitrate} b/s`).toBeGreaterThanOrEqual(low!);
      expect(probed.bitrate, `${bitrate} b/s`).toBeLessThanOrEqual(high!);
      const decoded = await decodeAudio(bytes, format, rate);
      expect(Math.abs(decoded.length / rate - expectedSeconds)).toBeLessThan(durationTolerance(format, rate));
      measured.push(probed.bitrate);
    }
    for (let i = 1; i < measured.length; i++) expect(measured[i]).toBeGreaterThan(measured[i - 1]!);
  });
});
