import { describe, expect, it } from 'vitest';
import { FORMATS, MP3_BITRATES_KBPS } from '../../../shared/audio/formats.ts';
import { RESPONSE_FORMATS, type ResponseFormat } from '../../../shared/schemas/speech.ts';
import { rms } from '../../../test/audio-checks.ts';
import { CODEC_EXTRA_SAMPLES, decodeAudio, probeAudio } from '../../../test/decode-audio.ts';
import { breathySpeech, speechLike } from '../../../test/signals.ts';
import { createEncoder } from './index.ts';

/** Engines hand over 10 to 300 ms at a time, unevenly. */
const UNEVEN_MS = [10, 300, 45, 80, 20, 170, 37, 120];
/** Another chunking of the same audio, with 7 ms pieces that cut codec frames anywhere. */
const OTHER_MS = [300, 7, 64, 133, 20];

interface Arrival {
  bytes: Uint8Array;
  /** Input samples handed to `write()` when these bytes reached the sink. */
  inputSamples: number;
  afterEnd: boolean;
}

async function encode(format: ResponseFormat, rate: number, samples: Float32Array, chunkMs = UNEVEN_MS, bitrate?: number) {
  const arrivals: Arrival[] = [];
  let inputSamples = 0;
  let ended = false;
  const encoder = await createEncoder(
    format,
    rate,
    async (bytes) => {
      arrivals.push({ bytes: bytes.slice(), inputSamples, afterEnd: ended });
    },
    bitrate,
  );
  for (let offset = 0, i = 0; offset < samples.length; i++) {
    const chunk = samples.subarray(offset, offset + Math.round((chunkMs[i % chunkMs.length]! * rate) / 1000));
    offset += chunk.length;
    inputSamples = offset;
    await encoder.write(chunk);
  }
  ended = true;
  await encoder.end();
  encoder.close();
  return { bytes: join(arrivals), arrivals };
}

const join = (arrivals: Arrival[]) => new Uint8Array(Buffer.concat(arrivals.map((a) => a.bytes)));

/** Duration tolerance on top of that. */
const TOLERANCE_S = 0.04;
/** Priming shifts the decoded audio by up to this many samples. */
const MAX_LAG = 1200;

/**
 * Lines `decoded` up with `input` over 0.4 s of voice: the shift with the best normalized
 * correlation, that correlation, and the loudness of the decoded window against the input's.
 */
function alignment(input: Float32Array, decoded: Float32Array, rate: number) {
  const start = Math.round(0.5 * rate);
  const window = input.subarray(start, start + Math.round(0.4 * rate));
  const windowEnergy = rms(window) ** 2 * window.length;
  let best = { lag: 0, correlation: -1, gain: 0 };
  for (let lag = 0; lag <= MAX_LAG; lag++) {
    const other = decoded.subarray(start + lag, start + lag + window.length);
    let dot = 0;
    let energy = 0;
    for (let i = 0; i < other.length; i++) {
      dot += window[i]! * other[i]!;
      energy += other[i]! * other[i]!;
    }
    const correlation = dot / Math.sqrt(energy * windowEnergy || 1);
    if (correlation > best.correlation) best = { lag, correlation, gain: Math.sqrt(energy / windowEnergy) };
  }
  return best;
}

/** Waveform fidelity each kind of codec reaches on this signal, as correlation with the input. */
const MIN_CORRELATION: Record<ResponseFormat, number> = { mp3: 0.95, opus: 0.95, aac: 0.95, flac: 0.9999, wav: 0.9999, pcm: 0.9999, mulaw: 0.999, alaw: 0.999 };

const cases = RESPONSE_FORMATS.flatMap((format) => {
  const { defaultSampleRate, sampleRates } = FORMATS[format];
  const rates = [...new Set([defaultSampleRate, 8000, 32_000, 48_000])].filter((rate) => sampleRates.includes(rate));
  return rates.map((rate) => [format, rate] as const);
});

describe('streaming encoders', () => {
  it.each(cases)('%s at %d Hz streams, decodes whole and from a prefix, and sounds like its input', async (format, rate) => {
    const input = speechLike(rate, 2);
    const { bytes, arrivals } = await encode(format, rate, input);

    // (1) Bytes reach the sink while audio is still being written, not only at the end.
    expect(arrivals.some((a) => !a.afterEnd && a.inputSamples < input.length)).toBe(true);

    // (2) The whole stream decodes to the input's length, give or take what the codec adds, and
    // says it is at the rate asked for (Ogg Opus always decodes at 48 kHz).
    if (!['pcm', 'mulaw', 'alaw'].includes(format)) expect((await probeAudio(bytes)).sampleRate).toBe(format === 'opus' ? 48_000 : rate);
    const decoded = await decodeAudio(bytes, format, rate);
    const extraSamples = decoded.length - input.length;
    expect(extraSamples / rate).toBeGreaterThanOrEqual(-TOLERANCE_S);
    expect(extraSamples / rate).toBeLessThanOrEqual(TOLERANCE_S + (CODEC_EXTRA_SAMPLES[format] ?? 0) / rate);

    // (3) What had arrived by the midpoint of the input decodes on its own.
    const prefix = join(arrivals.filter((a) => a.inputSamples <= input.length / 2));
    const decodedPrefix = await decodeAudio(prefix, format, rate);
    expect(decodedPrefix.length / rate).toBeGreaterThan(0.1);

    // (4) It is the same voice: a high correlation at the codec's delay, and the same loudness.
    const { lag, correlation, gain } = alignment(input, decoded, rate);
    expect(correlation).toBeGreaterThan(MIN_CORRELATION[format]);
    expect(Math.abs(gain - 1)).toBeLessThan(0.1); // LAME scales by 0.95 at these bitrates, for headroom
    // The rest say where the audio starts and ends (Ogg Opus: pre-skip and end trim) or add nothing:
    // they line up with the input and decode to its exact length.
    if (CODEC_EXTRA_SAMPLES[format] === undefined) {
      expect(lag).toBe(0);
      expect(Math.abs(extraSamples)).toBeLessThanOrEqual(1);
    }
  });

  // The edge resumes a stream cut mid-way by having another worker encode it again and skipping
  // the bytes already sent: the bytes must depend on the audio, not on how it was chunked.
  it.each(RESPONSE_FORMATS.filter((format) => FORMATS[format].splice !== 'none'))('%s: the same audio in other chunks gives the same bytes', async (format) => {
    const rate = FORMATS[format].defaultSampleRate;
    const input = speechLike(rate, 2);
    const uneven = await encode(format, rate, input);
    const other = await encode(format, rate, input, OTHER_MS);
    expect(Buffer.compare(uneven.bytes, other.bytes)).toBe(0);
  });

  it('opus: the same audio in other chunks gives the same pages but for the random stream serial (and so the checksums)', async () => {
    const input = speechLike(24_000, 2);
    const [a, b] = await Promise.all([encode('opus', 24_000, input), encode('opus', 24_000, input, OTHER_MS)]);
    expect(withoutSerials(a.bytes)).toEqual(withoutSerials(b.bytes));
    expect(Buffer.compare(a.bytes, b.bytes)).not.toBe(0);
  });

  it('mp3: an encoder left by an earlier stream, even one cut short, starts the next stream clean', async () => {
    const input = speechLike(24_000, 1);
    const cut = await createEncoder('mp3', 24_000, async () => {});
    await cut.write(speechLike(24_000, 0.5)); // cancelled mid-stream: LAME still holds part of a frame
    cut.close();
    // The last encoder given back is the first taken again: `reused` is the one just cut short.
    const streams = [[] as Uint8Array[], [] as Uint8Array[]];
    const [reused, other] = await Promise.all(streams.map((chunks) => createEncoder('mp3', 24_000, async (bytes) => void chunks.push(bytes))));
    for (const encoder of [reused!, other!]) {
      await encoder.write(input);
      await encoder.end();
      encoder.close();
    }
    const [fromReused, fromOther] = streams.map((chunks) => Buffer.concat(chunks));
    expect(fromReused!.byteLength).toBeGreaterThan(0);
    expect(Buffer.compare(fromReused!, fromOther!)).toBe(0);
  });

  describe.each(['mp3', 'opus', 'aac', 'flac'] as const)('%s: close()', (format) => {
    const rate = FORMATS[format].defaultSampleRate;
    const input = speechLike(rate, 1);

    // Where the handler closes: a client gone during the first write (the codec still starting), or later.
    it.each([
      ['during the first write', 0],
      ['mid-stream, with a write in flight', input.length / 2],
    ])('%s ends the codec (and its thread), and nothing hangs or rejects unhandled', async (_, closeAt) => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const threadsBefore = messagePorts();
      try {
        let sinkCalls = 0;
        const encoder = await createEncoder(format, rate, async () => {
          sinkCalls++;
        });
        for (let offset = 0; offset < closeAt; offset += 1920) await encoder.write(input.subarray(offset, offset + 1920));
        const inFlight = encoder.write(input.subarray(closeAt)).catch(() => {});
        encoder.close();
        encoder.close();
        await inFlight;
        // A worker thread shows as a MessagePort until it has stopped.
        await expect.poll(messagePorts, { timeout: 2000 }).toBeLessThanOrEqual(threadsBefore);
        const sinkCallsAfterClose = sinkCalls;
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(sinkCalls).toBe(sinkCallsAfterClose);
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  });
});

describe('bitrate', () => {
  /** The constant bitrates wasm-media-encoders passes to LAME (its Mp3CbrValues), kb/s. */
  const LAME_KBPS = [8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];

  it('mp3: the table offers only bitrates the library takes', () => {
    for (const list of Object.values(MP3_BITRATES_KBPS)) for (const kbps of list) expect(LAME_KBPS).toContain(kbps);
  });

  // LAME encodes the nearest bitrate the rate's MPEG version has when asked for another, without
  // a word: the table must hold exactly those it keeps.
  it.each(FORMATS.mp3.sampleRates)('mp3 at %d Hz: each bitrate offered is in the frames, at that rate; each other one LAME would change', async (rate) => {
    const offered = FORMATS.mp3.bitrates!(rate);
    const input = speechLike(rate, 0.5);
    for (const bitrate of LAME_KBPS.map((kbps) => kbps * 1000)) {
      const probed = await probeAudio((await encode('mp3', rate, input, UNEVEN_MS, bitrate)).bytes);
      expect(probed).toMatchObject({ codec: 'mp3', sampleRate: rate });
      if (offered.includes(bitrate)) expect(probed.bitrate, `${bitrate} b/s`).toBe(bitrate);
      else expect(probed.bitrate, `${bitrate} b/s`).not.toBe(bitrate);
    }
  });

  /**
   * What ffprobe may read against what was asked. MP3 is constant: its frame headers say exactly.
   * Opus and AAC aim at an average, which they meet on dense audio (breathySpeech): Opus within a
   * few percent plus its Ogg pages (about 6 kb/s at 40 ms a page), AAC within 10% plus its ADTS
   * headers (7 bytes a frame of 1024 samples).
   */
  const TOLERANCE: Record<'mp3' | 'opus' | 'aac', (bitrate: number, rate: number) => [number, number]> = {
    mp3: (bitrate) => [bitrate, bitrate],
    opus: (bitrate) => [bitrate * 0.95, bitrate * 1.05 + 8000],
    aac: (bitrate, rate) => [bitrate * 0.9, bitrate * 1.1 + (7 * 8 * rate) / 1024],
  };

  it.each([
    ['mp3', 44_100, [32, 64, 96, 128, 192]],
    ['mp3', 32_000, [32, 320]],
    ['mp3', 24_000, [8, 48, 160]],
    ['mp3', 22_050, [32, 64]],
    ['opus', 48_000, [32, 64, 96, 128, 192]],
    ['opus', 8000, [16, 256]],
    ['aac', 44_100, [32, 64, 128, 160]],
    ['aac', 32_000, [16, 128]],
    ['aac', 8000, [16, 32]],
  ] as const)('%s at %d Hz at %j kb/s: ffprobe reads that rate and about that bitrate, more for more, and it decodes whole', async (format, rate, list) => {
    const input = breathySpeech(rate, 3);
    const measured: number[] = [];
    for (const bitrate of list.map((kbps) => kbps * 1000)) {
      const { bytes } = await encode(format, rate, input, UNEVEN_MS, bitrate);
      const probed = await probeAudio(bytes);
      expect(probed.codec).toBe(format);
      expect(probed.sampleRate).toBe(format === 'opus' ? 48_000 : rate);
      const [low, high] = TOLERANCE[format](bitrate, rate);
      expect(probed.bitrate, `${bitrate} b/s`).toBeGreaterThanOrEqual(low);
      expect(probed.bitrate, `${bitrate} b/s`).toBeLessThanOrEqual(high);
      measured.push(probed.bitrate);
      const decoded = await decodeAudio(bytes, format, rate);
      expect(Math.abs(decoded.length - input.length) / rate).toBeLessThanOrEqual(TOLERANCE_S + (CODEC_EXTRA_SAMPLES[format] ?? 0) / rate);
    }
    for (let i = 1; i < measured.length; i++) expect(measured[i]).toBeGreaterThan(measured[i - 1]!);
  });
});

const messagePorts = () => process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;

/** An Ogg stream with each page's serial number and checksum zeroed (RFC 3533 page layout). */
function withoutSerials(ogg: Uint8Array): Uint8Array {
  const out = ogg.slice();
  for (let page = 0; page < out.length; ) {
    expect(Buffer.from(out.subarray(page, page + 4)).toString('latin1')).toBe('OggS');
    out.fill(0, page + 14, page + 18);
    out.fill(0, page + 22, page + 26);
    const segments = out[page + 26]!;
    const body = out.subarray(page + 27, page + 27 + segments).reduce((sum, lacing) => sum + lacing, 0);
    page += 27 + segments + body;
  }
  return out;
}
