import { ChunkBytesError, type FormatJoin } from './types.ts';

/** Layer III bitrates (kb/s) by index: MPEG-1, and MPEG-2/2.5. Index 0 is "free format", which nothing here makes. */
const BITRATES_KBPS = {
  mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
/** Sample rates by version bits (00 MPEG-2.5, 10 MPEG-2, 11 MPEG-1) and index. */
const SAMPLE_RATES: Record<number, readonly number[]> = { 0: [11_025, 12_000, 8000], 2: [22_050, 24_000, 16_000], 3: [44_100, 48_000, 32_000] };

/**
 * LAME's encoder delay (576 samples) plus the decoder's synthesis delay (529): the near-silence each
 * chunk's decoded audio starts with, as no info tag says to trim it. It is the same in samples at
 * every rate.
 */
const LEAD_IN_SAMPLES = 576 + 529;

interface Mp3Frame {
  bytes: number;
  samples: number;
  sampleRate: number;
  /** A Xing/Info/VBRI frame: LAME's (or another encoder's) header, which a decoder plays as silence mid-file. */
  infoTag: boolean;
}

/**
 * MP3: each chunk is whole frames whose bit reservoir starts empty (a new encoder's first frame
 * borrows nothing), so chunks join by concatenation. The worker's LAME writes no ID3 tag and no
 * Xing/Info frame when it streams; were one there, storing drops it (mid-file it would play as a
 * frame of silence and confuse the length). Each join keeps the next chunk's encoder delay
 * (LEAD_IN_SAMPLES) and the previous chunk's last-frame padding: nothing in MP3 can mark them.
 */
export const mp3Join: FormatJoin = {
  workerOutput: 'mp3',

  storedChunk(sampleRate, index, workerBytes) {
    const fail = (problem: string) => new ChunkBytesError('mp3', index, problem);
    const start = id3v2Length(workerBytes);
    let end = workerBytes.byteLength;
    if (end - start >= 128 && ascii(workerBytes, end - 128, 3) === 'TAG') end -= 128; // ID3v1
    const kept: Array<[number, number]> = [];
    let samples = 0;
    for (let offset = start; offset < end; ) {
      const frame = readFrame(workerBytes, offset);
      if (!frame) throw fail(`byte ${offset} is not an MPEG-1/2/2.5 Layer III frame header`);
      if (frame.sampleRate !== sampleRate) throw fail(`a frame at ${frame.sampleRate} Hz in a ${sampleRate} Hz job`);
      if (offset + frame.bytes > end) throw fail(`the frame at byte ${offset} needs ${frame.bytes} bytes, ${end - offset} are left (truncated)`);
      if (!frame.infoTag) {
        kept.push([offset, offset + frame.bytes]);
        samples += frame.samples;
      }
      offset += frame.bytes;
    }
    if (kept.length === 0) throw fail('no audio frames');
    const bytes = kept.length === 1 || contiguous(kept) ? workerBytes.subarray(kept[0]![0], kept.at(-1)![1]) : concat(workerBytes, kept);
    return { bytes, samples, facts: {} };
  },

  fileHeader: () => new Uint8Array(0),

  lengthInFile: (_facts, _before, storedBytes) => storedBytes,

  chunkInFile: (stored) => stored,

  leadInSamples: () => LEAD_IN_SAMPLES,
};

function readFrame(bytes: Uint8Array, offset: number): Mp3Frame | undefined {
  if (offset + 4 > bytes.byteLength) return undefined;
  const header = ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
  if (header >>> 21 !== 0x7ff) return undefined;
  const version = (header >>> 19) & 3;
  const layer = (header >>> 17) & 3;
  const bitrateIndex = (header >>> 12) & 15;
  const rateIndex = (header >>> 10) & 3;
  if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const mpeg1 = version === 3;
  const sampleRate = SAMPLE_RATES[version]![rateIndex]!;
  const bitrate = (mpeg1 ? BITRATES_KBPS.mpeg1 : BITRATES_KBPS.mpeg2)[bitrateIndex]! * 1000;
  const padding = (header >>> 9) & 1;
  const frameBytes = Math.floor(((mpeg1 ? 144 : 72) * bitrate) / sampleRate) + padding;
  const mono = ((header >>> 6) & 3) === 3;
  const sideInfo = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const crc = ((header >>> 16) & 1) === 0 ? 2 : 0;
  const tagAt = offset + 4 + crc + sideInfo;
  const tag = tagAt + 4 <= bytes.byteLength ? ascii(bytes, tagAt, 4) : '';
  const infoTag = tag === 'Xing' || tag === 'Info' || (offset + 40 <= bytes.byteLength && ascii(bytes, offset + 36, 4) === 'VBRI');
  return { bytes: frameBytes, samples: mpeg1 ? 1152 : 576, sampleRate, infoTag };
}

/** Length of an ID3v2 tag at the start (header, synchsafe size, optional footer), else 0. */
function id3v2Length(bytes: Uint8Array): number {
  if (bytes.byteLength < 10 || ascii(bytes, 0, 3) !== 'ID3') return 0;
  const size = (bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!;
  const footer = bytes[5]! & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

const ascii = (bytes: Uint8Array, offset: number, length: number) => String.fromCharCode(...bytes.subarray(offset, offset + length));

const contiguous = (ranges: Array<[number, number]>) => ranges.every(([start], i) => i === 0 || start === ranges[i - 1]![1]);

function concat(bytes: Uint8Array, ranges: Array<[number, number]>): Uint8Array {
  const out = new Uint8Array(ranges.reduce((sum, [start, end]) => sum + end - start, 0));
  let at = 0;
  for (const [start, end] of ranges) {
    out.set(bytes.subarray(start, end), at);
    at += end - start;
  }
  return out;
}
