import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { s16leToFloat } from '../shared/audio/pcm.ts';
import type { ResponseFormat } from '../shared/schemas/speech.ts';

const execFileAsync = promisify(execFile);

/** ffmpeg's demuxer for formats that carry no header saying what they are. */
const RAW_INPUTS: Partial<Record<ResponseFormat, string>> = { pcm: 's16le', mulaw: 'mulaw', alaw: 'alaw' };

/**
 * Decodes the bytes of a response with ffmpeg (Debian's, installed by .ci/run when missing) to
 * mono float samples at `sampleRate`, as an independent decoder would: what a client would hear.
 * Raw formats need their rate; the others say it themselves. Rejects when ffmpeg cannot decode.
 */
export async function decodeAudio(bytes: Uint8Array, format: ResponseFormat, sampleRate: number): Promise<Float32Array> {
  const raw = RAW_INPUTS[format];
  const input = raw ? ['-f', raw, '-ar', String(sampleRate), '-ac', '1'] : [];
  const child = execFileAsync('ffmpeg', ['-v', 'error', ...input, '-i', 'pipe:0', '-f', 's16le', '-ac', '1', '-ar', String(sampleRate), 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  // ffmpeg may stop reading early on bad input: its exit status says so, not a broken pipe.
  child.child.stdin!.on('error', () => {});
  child.child.stdin!.end(bytes);
  const { stdout } = await child;
  return s16leToFloat(new Uint8Array(stdout));
}

/**
 * `decodeAudio` for long files: 16-bit samples as ffmpeg writes them (half the memory of floats,
 * and no copy), read from a file rather than a pipe. An hour of 24 kHz audio is 170 MB this way.
 */
export async function decodeLongAudio(bytes: Uint8Array, format: ResponseFormat, sampleRate: number): Promise<Int16Array> {
  const dir = await mkdtemp(join(tmpdir(), 'decode-'));
  try {
    const file = join(dir, 'audio');
    await writeFile(file, bytes);
    const raw = RAW_INPUTS[format];
    const input = raw ? ['-f', raw, '-ar', String(sampleRate), '-ac', '1'] : [];
    const { stdout } = await execFileAsync('ffmpeg', ['-v', 'error', ...input, '-i', file, '-f', 's16le', '-ac', '1', '-ar', String(sampleRate), 'pipe:1'], {
      encoding: 'buffer',
      maxBuffer: 1024 * 1024 * 1024,
    });
    return new Int16Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What a decoder plays beyond the input, at most, in samples: priming and the padding of the last
 * frame, which MP3 (no info tag when streaming) and ADTS cannot mark for trimming. Ogg Opus and
 * the lossless formats decode to the exact length.
 */
export const CODEC_EXTRA_SAMPLES: Partial<Record<ResponseFormat, number>> = { mp3: 1105 + 1152, aac: 1024 + 1024 };

/** What ffprobe reads in a response's bytes: its codec, its sample rate, and its bitrate. */
export interface ProbedAudio {
  codec: string;
  sampleRate: number;
  /**
   * Bits per second: the stream's own figure when the container states one (MP3's frame headers),
   * else ffprobe's estimate over the whole input.
   */
  bitrate: number;
}

/** Probes the bytes of a compressed or containered response with ffprobe (from a file: Ogg needs seeking for its duration). */
export async function probeAudio(bytes: Uint8Array): Promise<ProbedAudio> {
  const dir = await mkdtemp(join(tmpdir(), 'probe-'));
  try {
    const file = join(dir, 'audio');
    await writeFile(file, bytes);
    const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,bit_rate:format=bit_rate', '-of', 'json', file]);
    const probed = JSON.parse(stdout) as { streams: Array<{ codec_name: string; sample_rate: string; bit_rate?: string }>; format: { bit_rate?: string } };
    const stream = probed.streams[0]!;
    return { codec: stream.codec_name, sampleRate: Number(stream.sample_rate), bitrate: Number(stream.bit_rate ?? probed.format.bit_rate) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
