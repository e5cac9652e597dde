/**
 * What each response format's encoder costs, at its default rate: CPU per second of audio, and
 * the time it adds before the first byte.
 *
 *   npm run bench:encoders [-- --repeats 7 --audio-seconds 10]   (--help: every option)
 *
 * CPU: process.cpuUsage (this thread and the codec's worker threads) around a whole stream,
 * creation to end(), of 10 s (`--audio-seconds`) of voice-like audio written in 80 ms chunks; the median of the repeats.
 * First byte: from calling createEncoder to the first byte reaching the sink, writing 80 ms chunks
 * back to back (creation is on the path to the first audio); and to the first byte of audio, which
 * for WAV and Ogg follows their header. "audio needed": how much audio the codec takes in before
 * that first audio byte (its frame and look-ahead), to 10 ms.
 * Each format runs once unmeasured first, so module loading and JIT warm-up are left out.
 */
import { FORMATS } from '../shared/audio/formats.ts';
import { RESPONSE_FORMATS, type ResponseFormat } from '../shared/schemas/speech.ts';
import { createEncoder } from '../gpu-worker/audio/encoders/index.ts';
import { speechLike } from '../test/signals.ts';
import { benchArgs } from './options.ts';
import { percentile } from './timing.ts';

const { values } = benchArgs({
  command: 'npm run bench:encoders --',
  summary: "Each response format's encoder: CPU per second of audio, and the time from creating it to its first byte.",
  options: {
    repeats: { type: 'string', default: '7', smoke: '1', description: 'streams per format; the median is shown' },
    'audio-seconds': { type: 'string', default: '10', smoke: '1', description: 'length of each stream of voice-like audio' },
  },
});
const repeats = Number(values.repeats);
const AUDIO_SECONDS = Number(values['audio-seconds']);
const CHUNK_SECONDS = 0.08;

/** CPU milliseconds for one whole stream of `audio`. */
async function streamCpuMs(format: ResponseFormat, rate: number, audio: Float32Array): Promise<number> {
  const chunk = Math.round(rate * CHUNK_SECONDS);
  const before = process.cpuUsage();
  const encoder = await createEncoder(format, rate, async () => {});
  for (let offset = 0; offset < audio.length; offset += chunk) await encoder.write(audio.subarray(offset, offset + chunk));
  await encoder.end();
  encoder.close();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** Formats whose container header reaches the sink on its own, before any audio. */
const HEADER_ALONE: ReadonlySet<ResponseFormat> = new Set(['wav', 'opus']);

interface FirstBytes {
  /** From calling createEncoder to the first byte, header or audio. */
  byteMs: number;
  /** To the first byte of audio. */
  audioMs: number;
}

/** Writes 80 ms chunks back to back, as an engine ahead of real time would, until audio arrives. */
async function firstBytes(format: ResponseFormat, rate: number, audio: Float32Array): Promise<FirstBytes> {
  const chunk = Math.round(rate * CHUNK_SECONDS);
  const started = performance.now();
  const arrivals: number[] = [];
  const encoder = await createEncoder(format, rate, async () => {
    arrivals.push(performance.now() - started);
  });
  const audioArrival = HEADER_ALONE.has(format) ? 1 : 0;
  for (let written = 0; arrivals.length <= audioArrival && written < audio.length; written += chunk) await encoder.write(audio.subarray(written, written + chunk));
  encoder.close();
  return { byteMs: arrivals[0] ?? NaN, audioMs: arrivals[audioArrival] ?? NaN };
}

/**
 * The audio a codec takes in before its first audio byte comes out: written 10 ms at a time,
 * with a pause after each for codecs behind a queue (mediabunny's) to catch up.
 */
async function audioNeededMs(format: ResponseFormat, rate: number, audio: Float32Array): Promise<number> {
  const step = Math.round(rate * 0.01);
  const audioArrival = HEADER_ALONE.has(format) ? 1 : 0;
  let arrivals = 0;
  let written = 0;
  let needed = NaN;
  const encoder = await createEncoder(format, rate, async () => {
    if (arrivals++ === audioArrival) needed = (written / rate) * 1000;
  });
  while (Number.isNaN(needed) && written < audio.length) {
    const samples = audio.subarray(written, written + step);
    written += samples.length;
    await encoder.write(samples);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  encoder.close();
  return needed;
}

const rows = [];
for (const format of RESPONSE_FORMATS) {
  const rate = FORMATS[format].defaultSampleRate;
  const audio = speechLike(rate, AUDIO_SECONDS);
  await streamCpuMs(format, rate, audio);
  await firstBytes(format, rate, audio);
  const cpu: number[] = [];
  const first: FirstBytes[] = [];
  for (let i = 0; i < repeats; i++) {
    cpu.push(await streamCpuMs(format, rate, audio));
    first.push(await firstBytes(format, rate, audio));
  }
  const median = (pick: (f: FirstBytes) => number) => percentile(first.map(pick), 50).toFixed(1);
  rows.push({
    format,
    'rate Hz': rate,
    'CPU ms per s of audio': (percentile(cpu, 50) / AUDIO_SECONDS).toFixed(2),
    'first byte ms': median((f) => f.byteMs),
    'first audio byte ms': median((f) => f.audioMs),
    'first audio byte ms (max)': Math.max(...first.map((f) => f.audioMs)).toFixed(1),
    'audio needed ms': (await audioNeededMs(format, rate, audio)).toFixed(0),
  });
}
console.log(`${repeats} repeats per format; ${AUDIO_SECONDS} s of voice-like audio in ${CHUNK_SECONDS * 1000} ms chunks`);
console.table(rows);
