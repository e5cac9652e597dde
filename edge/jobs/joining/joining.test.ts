import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEncoder } from '../../../gpu-worker/audio/encoders/index.ts';
import { s16leToFloat } from '../../../shared/audio/pcm.ts';
import type { ResponseFormat } from '../../../shared/audio/formats.ts';
import { hasSharedAudio, SHARED_AUDIO } from '../../../test/clips.ts';
import { rms } from '../../../test/audio-checks.ts';
import { speechLike } from '../../../test/signals.ts';
import { NO_GRANULE, OGG_FLAG_BOS, OGG_FLAG_EOS, readOggPages } from './ogg-pages.ts';
import { ChunkBytesError, chunkInFile, chunkLengthInFile, fileHeader, JOB_FORMATS, leadInSamples, storedChunk, workerOutputFor, type ChunkFacts, type JobFormat, type StoredChunk } from './index.ts';

const execFileAsync = promisify(execFile);

/** Where the speech is cut into chunks, in seconds: mid-word, so a join shows any gap it adds. */
const CUTS_S = [2.3, 4.9, 7.6];
/** Engines hand over 10 to 300 ms at a time, unevenly. */
const PIECES_MS = [10, 300, 45, 80, 20, 170, 37, 120];
/** The codec an ffprobe of the joined file must name. */
const CODEC: Record<JobFormat, string> = { wav: 'pcm_s16le', mp3: 'mp3', aac: 'aac', opus: 'opus', flac: 'flac' };
/**
 * How closely ffmpeg must be silent: compressed files must not even warn (a bad Ogg page or MP3
 * frame does); a WAV draws warnings by design (no channel mask; the streaming header's unknown size).
 */
const LEVEL = (format: JobFormat) => (format === 'wav' ? 'error' : 'warning');
/** Ogg Opus always decodes at 48 kHz. */
const probedRate = (format: JobFormat, rate: number) => (format === 'opus' ? 48_000 : rate);

/** Real speech (the provided JFK clip) at `rate`, mono; a voice-like signal when the clips are absent. */
async function speech(rate: number): Promise<Float32Array> {
  if (!hasSharedAudio) return speechLike(rate, 10);
  const { samples } = await ffmpegDecode(new Uint8Array(), rate, ['-i', `${SHARED_AUDIO}/ref-en-10s-44k-stereo.wav`]);
  return samples;
}

/**
 * Decodes with ffmpeg to mono float at `rate`, keeping what it says (nothing, for a valid file) at
 * `level`. `input` names the input; by default the bytes on stdin, demuxed as `raw` if given.
 */
async function ffmpegDecode(bytes: Uint8Array, rate: number, input = ['-i', 'pipe:0'], raw?: string, level = 'error') {
  const rawArgs = raw ? ['-f', raw, '-ar', String(rate), '-ac', '1'] : [];
  const child = execFileAsync('ffmpeg', ['-v', level, ...rawArgs, ...input, '-f', 's16le', '-ac', '1', '-ar', String(rate), 'pipe:1'], { encoding: 'buffer', maxBuffer: 256 << 20 });
  child.child.stdin!.on('error', () => {});
  child.child.stdin!.end(bytes);
  const { stdout, stderr } = await child;
  return { samples: s16leToFloat(new Uint8Array(stdout)), errors: stderr.toString() };
}

async function ffprobeStreams(bytes: Uint8Array): Promise<Array<{ codec_name: string; sample_rate: string }>> {
  const child = execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate', '-of', 'json', '-i', 'pipe:0']);
  child.child.stdin!.on('error', () => {});
  child.child.stdin!.end(bytes);
  return JSON.parse((await child).stdout).streams;
}

/** A chunk rendered as a worker would: its own encoder, fed in uneven pieces. */
async function render(format: ResponseFormat, rate: number, samples: Float32Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const encoder = await createEncoder(format, rate, async (bytes) => void parts.push(bytes.slice()));
  for (let offset = 0, i = 0; offset < samples.length; i++) {
    const piece = samples.subarray(offset, offset + Math.round((PIECES_MS[i % PIECES_MS.length]! * rate) / 1000));
    offset += piece.length;
    await encoder.write(piece);
  }
  await encoder.end();
  encoder.close();
  return new Uint8Array(Buffer.concat(parts));
}

/** The file as GET .../audio serves it: header, then each stored chunk placed after those before it. */
function joinFile(format: JobFormat, rate: number, stored: StoredChunk[], finished: boolean): Uint8Array {
  const facts: ChunkFacts[] = stored.map((chunk) => chunk.facts);
  const placed = stored.map((chunk, index) => chunkInFile(format, chunk.bytes, index, chunk.facts, facts.slice(0, index), finished && index === stored.length - 1));
  placed.forEach((bytes, index) => {
    const length = chunkLengthInFile(format, { bytes: stored[index]!.bytes.byteLength, facts: facts[index]! }, facts.slice(0, index));
    expect(bytes.byteLength, `chunk ${index}: its length in the file`).toBe(length);
  });
  const totals = { bytes: placed.reduce((sum, bytes) => sum + bytes.byteLength, 0), samples: stored.reduce((sum, chunk) => sum + chunk.samples, 0) };
  return new Uint8Array(Buffer.concat([fileHeader(format, rate, finished ? totals : null), ...placed]));
}

/** The 10 ms windows' loudness under which audio counts as silence (the clip's room noise is above it). */
const SILENCE_RMS = 0.003;

/** The length (samples) of the silent run around `at`: 0 when audio is heard there. */
function silenceAround(samples: Float32Array, at: number, rate: number): number {
  const win = Math.round(rate / 100);
  const silent = (start: number) => start >= 0 && start + win <= samples.length && rms(samples.subarray(start, start + win)) < SILENCE_RMS;
  let from = Math.floor(at / win) * win;
  if (!silent(from)) return 0;
  let to = from;
  while (silent(from - win)) from -= win;
  while (silent(to + win)) to += win;
  return to + win - from;
}

/** The shift (0 to maxLag samples) at which `decoded` best matches `input`'s first 300 ms of voice. */
function bestLag(input: Float32Array, decoded: Float32Array, rate: number, maxLag: number): number {
  const start = Math.round(0.05 * rate);
  const window = input.subarray(start, start + Math.round(0.3 * rate));
  let best = { lag: 0, correlation: -Infinity };
  for (let lag = 0; lag <= maxLag; lag++) {
    const other = decoded.subarray(start + lag, start + lag + window.length);
    let dot = 0;
    let energy = 0;
    for (let i = 0; i < other.length; i++) {
      dot += window[i]! * other[i]!;
      energy += other[i]! * other[i]!;
    }
    const correlation = dot / Math.sqrt(energy || 1);
    if (correlation > best.correlation) best = { lag, correlation };
  }
  return best.lag;
}

const ms = (samples: number, rate: number) => Math.round((samples / rate) * 10_000) / 10;

/** The default rate, and others that change the codec's framing (MPEG-1 and 2.5 for mp3) or its rate's table entry. */
const OTHER_RATES: Record<JobFormat, number[]> = { wav: [8000, 44_100], mp3: [8000, 44_100], aac: [22_050, 48_000], opus: [8000, 48_000], flac: [8000, 44_100] };
const CASES: Array<[JobFormat, number]> = JOB_FORMATS.flatMap((format) => [24_000, ...OTHER_RATES[format]].map((rate): [JobFormat, number] => [format, rate]));

describe.each(CASES)('%s at %d Hz: chunks rendered apart by the worker\'s encoder', (format, rate) => {
  let input: Float32Array;
  let pieces: Float32Array[];
  let rendered: Uint8Array[];
  let stored: StoredChunk[];
  let aloneLengths: number[];

  beforeAll(async () => {
    input = await speech(rate);
    const bounds = [0, ...CUTS_S.map((s) => Math.round(s * rate)), input.length];
    pieces = bounds.slice(1).map((end, i) => input.subarray(bounds[i]!, end));
    const { response_format } = workerOutputFor(format);
    rendered = await Promise.all(pieces.map((piece) => render(response_format, rate, piece)));
    // Chunks finish in any order: what is stored depends on the chunk alone.
    stored = [];
    for (const index of [2, 0, 3, 1]) stored[index] = storedChunk(format, rate, index, rendered[index]!);
    const raw = response_format === 'pcm' ? 's16le' : undefined;
    aloneLengths = await Promise.all(rendered.map(async (bytes) => (await ffmpegDecode(bytes, rate, undefined, raw)).samples.length));
  });

  it('join into one file ffmpeg decodes without a word, one stream of the codec and rate, as long as its chunks', async () => {
    const file = joinFile(format, rate, stored, true);
    const streams = await ffprobeStreams(file);
    expect(streams).toEqual([{ codec_name: CODEC[format], sample_rate: String(probedRate(format, rate)) }]);
    const { samples, errors } = await ffmpegDecode(file, rate, undefined, undefined, LEVEL(format));
    expect(errors).toBe('');

    const reported = stored.reduce((sum, chunk) => sum + chunk.samples, 0);
    expect(samples.length).toBe(reported);
    const alone = aloneLengths.reduce((a, b) => a + b, 0);
    const joins = stored.length - 1;
    expect(Math.abs(samples.length - alone) / rate).toBeLessThanOrEqual(0.05 * joins);

    // Each chunk's voice starts its lead-in after the chunk's place on the file's clock, and no
    // join is silent for long where the speech was not.
    const figures: string[] = [];
    let at = 0;
    for (let index = 0; index < stored.length; index++) {
      const leadIn = leadInSamples(format, rate, index);
      const lag = bestLag(pieces[index]!, samples.subarray(at), rate, 3000);
      expect(Math.abs(lag - leadIn), `chunk ${index}: voice at ${lag}, lead-in said ${leadIn}`).toBeLessThanOrEqual(Math.ceil(rate / 8000));
      if (index > 0) {
        const added = silenceAround(samples, at, rate) - silenceAround(input, Math.round(CUTS_S[index - 1]! * rate), rate);
        expect(added / rate, `join ${index}`).toBeLessThan(0.3);
        const padding = stored[index - 1]!.samples - pieces[index - 1]!.length - leadInSamples(format, rate, index - 1);
        figures.push(`join ${index}: lead-in ${ms(leadIn, rate)} ms, padding ${ms(padding, rate)} ms, silence added ${ms(Math.max(0, added), rate)} ms`);
      }
      at += stored[index]!.samples;
    }
    console.info(`${format} at ${rate} Hz: ${figures.join('; ')}`);
  });

  it('the file of a running job (header with no size, no chunk placed last) decodes as far as it goes', async () => {
    for (const done of [1, stored.length]) {
      const { samples, errors } = await ffmpegDecode(joinFile(format, rate, stored.slice(0, done), false), rate, undefined, undefined, LEVEL(format));
      expect(errors).toBe('');
      expect(samples.length).toBe(stored.slice(0, done).reduce((sum, chunk) => sum + chunk.samples, 0));
    }
  });

  it('bad bytes: truncated, or another format, are refused with a clear error', async () => {
    const cut = rendered[1]!.subarray(0, rendered[1]!.byteLength - 3);
    expect(() => storedChunk(format, rate, 1, cut)).toThrow(ChunkBytesError);
    // A whole WAV file: for a wav job, a header where bare PCM belongs.
    const wav = await render('wav', rate, pieces[1]!.subarray(0, rate));
    expect(() => storedChunk(format, rate, 1, wav)).toThrow(/chunk 1: /);
    // Bare PCM has no structure to check: any even number of bytes is samples.
    if (format !== 'wav') expect(() => storedChunk(format, rate, 1, new Uint8Array(1000).fill(7))).toThrow(ChunkBytesError);
  });
});

describe('mp3', () => {
  it('drops the ID3 tag and Xing frame another LAME front end writes, which mid-file would play as audio', async () => {
    const rate = 24_000;
    const input = await speech(rate);
    const halves = [input.subarray(0, 5 * rate), input.subarray(5 * rate)];
    const tagged = await Promise.all(
      halves.map(async (half) => {
        const child = execFileAsync('ffmpeg', ['-v', 'error', '-f', 's16le', '-ar', String(rate), '-ac', '1', '-i', 'pipe:0', '-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3', 'pipe:1'], { encoding: 'buffer' });
        child.child.stdin!.end(Buffer.from(new Int16Array(half.map((s) => Math.round(s * 32_767))).buffer));
        return new Uint8Array((await child).stdout);
      }),
    );
    expect(Buffer.from(tagged[1]!.subarray(0, 3)).toString()).toBe('ID3');
    const stored = tagged.map((bytes, index) => storedChunk('mp3', rate, index, bytes));
    expect(stored[1]!.bytes.byteLength).toBeLessThan(tagged[1]!.byteLength);
    const { samples, errors } = await ffmpegDecode(joinFile('mp3', rate, stored, true), rate, undefined, undefined, 'warning');
    expect(errors).toBe('');
    expect(samples.length).toBe(stored[0]!.samples + stored[1]!.samples);
  });
});

describe('opus', () => {
  it('the joined file is one Ogg stream: one serial, pages numbered in order, BOS first, EOS last, packets timed end to end', async () => {
    const rate = 24_000;
    const input = await speech(rate);
    const pieces = [input.subarray(0, 3 * rate), input.subarray(3 * rate, 6 * rate), input.subarray(6 * rate)];
    const stored = await Promise.all(pieces.map(async (piece, index) => storedChunk('opus', rate, index, await render('opus', rate, piece))));
    const file = joinFile('opus', rate, stored, true);
    const pages = readOggPages(file); // checks every page's CRC
    expect(new Set(pages.map((page) => page.serial)).size).toBe(1);
    expect(pages.map((page) => page.sequence)).toEqual(pages.map((_, i) => i));
    expect(pages.map((page) => page.flags & (OGG_FLAG_BOS | OGG_FLAG_EOS))).toEqual(pages.map((_, i) => (i === 0 ? OGG_FLAG_BOS : i === pages.length - 1 ? OGG_FLAG_EOS : 0)));
    const granules = pages.map((page) => page.granule).filter((granule) => granule !== NO_GRANULE);
    expect([...granules].sort((a, b) => (a < b ? -1 : 1))).toEqual(granules);

    // ffmpeg times each packet from the granule positions: they must follow one another with no gap or overlap.
    const child = execFileAsync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts,duration', '-of', 'csv=p=0', '-i', 'pipe:0']);
    child.child.stdin!.end(file);
    const packets = (await child).stdout.split('\n').filter((line) => /^-?\d/.test(line)).map((line) => line.split(',').map(Number) as [number, number]);
    for (let i = 1; i < packets.length; i++) expect(packets[i]![0], `packet ${i}`).toBe(packets[i - 1]![0] + packets[i - 1]![1]);
    expect(packets.length).toBeGreaterThan(3 * 3 * 50 - 10); // 9 s in 20 ms packets
  });
});

/** The reference decoder's `flac -t`, where installed (.ci/run installs it). */
const FLAC_CLI = (() => {
  try {
    execFileSync('flac', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** What `flac -t` says of the file: it exits non-zero on any bad frame, CRC, or a length short of STREAMINFO's. */
async function flacTest(bytes: Uint8Array): Promise<string> {
  const child = execFileAsync('flac', ['-t', '-s', '-']);
  child.child.stdin!.on('error', () => {});
  child.child.stdin!.end(bytes);
  const { stderr } = await child;
  return stderr.replace(/^-: WARNING, cannot check MD5 signature since it was unset in the STREAMINFO\n/m, '');
}

describe('flac', () => {
  const rate = 24_000;
  let pieces: Float32Array[];
  let stored: StoredChunk[];
  /** Each chunk decoded alone, as the worker's encoder wrote it. */
  let alone: Float32Array[];

  beforeAll(async () => {
    const input = await speech(rate);
    // A chunk's frames are 4096 samples but its last; these cuts give last frames of every size
    // class, down to under 16 samples (which only a stream's last frame may have alone).
    const bounds = [0, 4096 * 5 + 7, 4096 * 9 + 3000, 4096 * 9 + 3001 + 4096 * 12, input.length];
    pieces = bounds.slice(1).map((end, i) => input.subarray(bounds[i]!, end));
    const rendered = await Promise.all(pieces.map((piece) => render('flac', rate, piece)));
    stored = rendered.map((bytes, index) => storedChunk('flac', rate, index, bytes));
    alone = await Promise.all(rendered.map(async (bytes) => (await ffmpegDecode(bytes, rate)).samples));
  });

  it('the joined file is lossless: it decodes to the chunks\' own decoded samples, end to end, exactly', async () => {
    expect(stored.map((chunk) => chunk.samples)).toEqual(pieces.map((piece) => piece.length));
    // ffmpeg checks the frames' CRC-16 only when asked.
    const { samples, errors } = await ffmpegDecode(joinFile('flac', rate, stored, true), rate, ['-err_detect', 'crccheck', '-i', 'pipe:0'], undefined, 'warning');
    expect(errors).toBe('');
    const expected = new Float32Array(Buffer.concat(alone.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))).buffer);
    expect(samples.length).toBe(expected.length);
    expect(samples.findIndex((sample, i) => sample !== expected[i])).toBe(-1);
  });

  it.skipIf(!FLAC_CLI)('flac -t passes the finished file (its STREAMINFO total) and a running job\'s (total unknown)', async () => {
    expect(await flacTest(joinFile('flac', rate, stored, true))).toBe('');
    expect(await flacTest(joinFile('flac', rate, stored.slice(0, 2), false))).toBe('');
    // It can fail: a frame cut short, or a total the frames do not reach.
    const file = joinFile('flac', rate, stored, true);
    await expect(flacTest(file.subarray(0, file.byteLength - 100))).rejects.toThrow();
    const short = joinFile('flac', rate, stored.slice(0, 3), true);
    const statedTooMany = joinFile('flac', rate, stored, true).subarray(0, short.byteLength);
    await expect(flacTest(statedTooMany)).rejects.toThrow(/smaller than the total number of samples/);
  });

  it('every frame in the file is numbered by its first sample: ffmpeg times them end to end', async () => {
    const file = joinFile('flac', rate, stored, true);
    const child = execFileAsync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pts,duration', '-of', 'csv=p=0', '-i', 'pipe:0']);
    child.child.stdin!.end(file);
    const packets = (await child).stdout.split('\n').filter((line) => /^-?\d/.test(line)).map((line) => line.split(',').map(Number) as [number, number]);
    expect(packets.length).toBe(stored.reduce((sum, chunk) => sum + chunk.facts.flacFrameCount!, 0));
    expect(packets[0]![0]).toBe(0);
    for (let i = 1; i < packets.length; i++) expect(packets[i]![0], `frame ${i}`).toBe(packets[i - 1]![0] + packets[i - 1]![1]);
  });

  it('a chunk placed further on grows: its frame headers take the sample numbers\' longer codes', () => {
    const chunk = stored[1]!;
    const length = (samplesBefore: number) => chunkLengthInFile('flac', { bytes: chunk.bytes.byteLength, facts: chunk.facts }, [{ flacSamples: samplesBefore }]);
    const frames = chunk.facts.flacFrameCount!;
    // The stored bytes are the frames after their index (a count and a length a frame), which the file has not.
    const framesBytes = chunk.bytes.byteLength - 4 * (frames + 1);
    // Stored: frame numbers under 128, one byte each. Placed at sample 0, sample numbers 4096 on take 3 bytes (≥ 2^11).
    expect(length(0) - framesBytes).toBe((frames - 1) * 2);
    // From 2^16 on: 4 bytes each; from 2^21 on, 5.
    expect(length(2 ** 16) - framesBytes).toBe(frames * 3);
    expect(length(2 ** 21) - framesBytes).toBe(frames * 4);
  });
});
