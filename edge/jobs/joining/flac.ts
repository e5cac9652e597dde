import { ChunkBytesError, type ChunkFacts, type FormatJoin } from './types.ts';

/**
 * The block size the worker's libFLAC encodes with (every frame but a stream's last), at every
 * rate: the file's STREAMINFO states it as the largest, so a chunk with larger frames is refused.
 */
const MAX_BLOCK_SIZE = 4096;
/** The smallest block size STREAMINFO can state (RFC 9639 §8.2). */
const MIN_BLOCK_SIZE = 16;
/** Frame header sample rate codes 1 to 11 (RFC 9639 §9.1.2); 0 defers to STREAMINFO, 12 to 14 code the rate after the number. */
const RATE_CODES = [0, 88_200, 176_400, 192_000, 8000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 96_000];
const STREAMINFO_BYTES = 34;

/**
 * FLAC: one stream of frames. A chunk is stored as its frames only (its own `fLaC` header and
 * metadata go: the file's header comes from `fileHeader`), after an index of their lengths (a
 * 32-bit count, then a 32-bit length a frame, big-endian): placing a chunk needs no search for
 * its frames, and the facts the job's object keeps stay a few numbers, not a list a frame. The
 * worker's encoder numbers each chunk's frames from 0 with a fixed block size, and only a stream's
 * last frame may be short; in the file every frame header says variable block size and is numbered
 * by its first sample on the file's clock (RFC 9639 §9.1.5), so a chunk's short last frame is
 * allowed anywhere. That number is coded as UTF-8 is, shortest form, so a frame's header grows by
 * where the chunk lands: `lengthInFile` tells by how much, and each header's CRC-8 and frame's
 * CRC-16 are computed again. The subframes are byte-aligned and move unchanged: exact, lossless.
 */
export const flacJoin: FormatJoin = {
  workerOutput: 'flac',

  storedChunk(sampleRate, index, workerBytes) {
    const fail = (problem: string) => new ChunkBytesError('flac', index, problem);
    const start = framesStart(workerBytes, sampleRate, fail);
    const frames: number[] = [];
    const blockSizes: number[] = [];
    for (let offset = start; offset < workerBytes.byteLength; ) {
      const header = readFrameHeader(workerBytes, offset);
      if (!header) throw fail(`byte ${offset} is not a FLAC frame header (sync code and CRC-8)`);
      if (header.variable || header.number !== frames.length) throw fail(`the frame at byte ${offset} is not frame ${frames.length} of a fixed block size stream`);
      if (header.channels !== 1 || header.bitsPerSample !== 16) throw fail(`the frame at byte ${offset} is not mono 16-bit`);
      if (header.sampleRate !== null && header.sampleRate !== sampleRate) throw fail(`a frame at ${header.sampleRate} Hz in a ${sampleRate} Hz job`);
      if (header.blockSize > MAX_BLOCK_SIZE) throw fail(`a frame of ${header.blockSize} samples; the file states at most ${MAX_BLOCK_SIZE}`);
      const end = frameEnd(workerBytes, offset, header.length, frames.length + 1);
      if (end === undefined) throw fail(`the frame at byte ${offset} has no valid CRC-16 before the next frame or the end (truncated or corrupt)`);
      frames.push(end - offset);
      blockSizes.push(header.blockSize);
      offset = end;
    }
    if (frames.length === 0) throw fail('no frames');
    const blockSize = blockSizes[0]!;
    if (blockSizes.slice(0, -1).some((size) => size !== blockSize) || blockSizes.at(-1)! > blockSize) {
      throw fail('frames of more than one block size before the last');
    }
    const samples = blockSizes.reduce((sum, size) => sum + size, 0);
    const framed = workerBytes.subarray(start);
    const bytes = new Uint8Array(indexBytes(frames.length) + framed.byteLength);
    const table = new DataView(bytes.buffer);
    table.setUint32(0, frames.length);
    frames.forEach((length, i) => table.setUint32(4 + 4 * i, length));
    bytes.set(framed, indexBytes(frames.length));
    return { bytes, samples, facts: { flacSamples: samples, flacBlockSize: blockSize, flacFrameCount: frames.length } };
  },

  fileHeader(sampleRate, totals) {
    const header = new Uint8Array(4 + 4 + STREAMINFO_BYTES);
    header.set([0x66, 0x4c, 0x61, 0x43]); // fLaC
    header.set([0x80, 0, 0, STREAMINFO_BYTES], 4); // the last (only) metadata block: STREAMINFO
    const info = new DataView(header.buffer, 8);
    // Minimum below maximum: a variable block size stream. Frame sizes 0 and MD5 zeros: unknown.
    info.setUint16(0, MIN_BLOCK_SIZE);
    info.setUint16(2, MAX_BLOCK_SIZE);
    // 20 bits rate, 3 bits channels - 1, 5 bits bits per sample - 1, 36 bits total samples (0: unknown).
    const total = totals?.samples ?? 0;
    info.setUint32(10, (sampleRate << 12) | ((1 - 1) << 9) | ((16 - 1) << 4) | Math.floor(total / 2 ** 32));
    info.setUint32(14, total >>> 0);
    return header;
  },

  lengthInFile(facts, before, storedBytes) {
    const { blockSize, frameCount } = flacFacts(facts);
    const first = samplesBefore(before);
    let length = storedBytes - indexBytes(frameCount);
    for (let i = 0; i < frameCount; i++) length += codedLength(first + i * blockSize) - codedLength(i);
    return length;
  },

  chunkInFile(stored, { index, facts, before }) {
    const { blockSize, frameCount } = flacFacts(facts);
    const table = new DataView(stored.buffer, stored.byteOffset, indexBytes(frameCount));
    if (table.getUint32(0) !== frameCount) throw new Error(`flac chunk ${index}: its stored index does not list ${frameCount} frames`);
    const frames = Array.from({ length: frameCount }, (_, i) => table.getUint32(4 + 4 * i));
    const first = samplesBefore(before);
    const out = new Uint8Array(flacJoin.lengthInFile(facts, before, stored.byteLength));
    let from = indexBytes(frameCount);
    let to = 0;
    frames.forEach((bytes, i) => {
      const header = readFrameHeader(stored, from);
      if (!header || header.number !== i) throw new Error(`flac chunk ${index}: frame ${i} is not where its facts say`);
      const start = to;
      // The header: its first 4 bytes with the blocking strategy bit set (variable), the number of
      // its first sample in the file, its other fields as they were, then its CRC-8.
      out.set(stored.subarray(from, from + 4), to);
      out[to + 1] = out[to + 1]! | 1;
      to += 4;
      const number = codedNumber(first + i * blockSize);
      out.set(number, to);
      to += number.byteLength;
      const fields = stored.subarray(from + 4 + codedLength(i), from + header.length - 1);
      out.set(fields, to);
      to += fields.byteLength;
      out[to] = crc8(out, start, to);
      to++;
      // The subframes as they were (byte-aligned), then the whole frame's CRC-16.
      const subframes = stored.subarray(from + header.length, from + bytes - 2);
      out.set(subframes, to);
      to += subframes.byteLength;
      const crc = crc16(out, start, to);
      out[to++] = crc >> 8;
      out[to++] = crc & 0xff;
      from += bytes;
    });
    if (from !== stored.byteLength || to !== out.byteLength) throw new Error(`flac chunk ${index}: its frames do not fill its bytes`);
    return out;
  },

  leadInSamples: () => 0,
};

/** The stored index before a chunk's frames: a count, then a length a frame. */
const indexBytes = (frameCount: number) => 4 + 4 * frameCount;

function flacFacts(facts: ChunkFacts): { blockSize: number; frameCount: number } {
  if (facts.flacBlockSize === undefined || facts.flacFrameCount === undefined) throw new Error('flac: the chunk\'s facts are not a flac chunk\'s');
  return { blockSize: facts.flacBlockSize, frameCount: facts.flacFrameCount };
}

function samplesBefore(before: readonly ChunkFacts[]): number {
  return before.reduce((sum, facts) => {
    if (facts.flacSamples === undefined) throw new Error('flac: the facts of the chunks before it are not a flac chunk\'s');
    return sum + facts.flacSamples;
  }, 0);
}

/** Where the frames start: after `fLaC` and the metadata blocks, whose STREAMINFO must be the job's mono 16-bit rate. */
function framesStart(bytes: Uint8Array, sampleRate: number, fail: (problem: string) => Error): number {
  if (bytes.byteLength < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'fLaC') throw fail('does not start with fLaC');
  let offset = 4;
  for (let blocks = 0; ; blocks++) {
    if (offset + 4 > bytes.byteLength) throw fail('metadata blocks run past the end (truncated)');
    const type = bytes[offset]! & 0x7f;
    const last = (bytes[offset]! & 0x80) !== 0;
    const length = (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (offset + 4 + length > bytes.byteLength) throw fail('a metadata block runs past the end (truncated)');
    if (blocks === 0) {
      if (type !== 0 || length !== STREAMINFO_BYTES) throw fail('the first metadata block is not STREAMINFO');
      const info = new DataView(bytes.buffer, bytes.byteOffset + offset + 4, STREAMINFO_BYTES);
      const word = info.getUint32(10);
      const rate = word >>> 12;
      const channels = ((word >>> 9) & 7) + 1;
      const bits = ((word >>> 4) & 31) + 1;
      if (rate !== sampleRate) throw fail(`encoded at ${rate} Hz in a ${sampleRate} Hz job`);
      if (channels !== 1 || bits !== 16) throw fail(`${channels} channels of ${bits} bits, jobs are mono 16-bit`);
    }
    offset += 4 + length;
    if (last) return offset;
  }
}

interface FrameHeader {
  /** Bytes, CRC-8 included. */
  length: number;
  variable: boolean;
  /** The coded frame (fixed) or sample (variable) number. */
  number: number;
  blockSize: number;
  /** null: the frame defers to STREAMINFO's. */
  sampleRate: number | null;
  channels: number;
  /** null: the frame defers to STREAMINFO's. */
  bitsPerSample: number | null;
}

/** The frame header at `offset` (RFC 9639 §9.1), or undefined where none is (no sync, a reserved value, a bad CRC-8). */
function readFrameHeader(bytes: Uint8Array, offset: number): FrameHeader | undefined {
  if (offset + 6 > bytes.byteLength || bytes[offset] !== 0xff || (bytes[offset + 1]! & 0xfe) !== 0xf8) return undefined;
  const variable = (bytes[offset + 1]! & 1) === 1;
  const blockCode = bytes[offset + 2]! >> 4;
  const rateCode = bytes[offset + 2]! & 15;
  const channelCode = bytes[offset + 3]! >> 4;
  const bitsCode = (bytes[offset + 3]! >> 1) & 7;
  if (blockCode === 0 || rateCode === 15 || channelCode > 10 || bitsCode === 3 || (bytes[offset + 3]! & 1) !== 0) return undefined;
  const number = readCodedNumber(bytes, offset + 4);
  if (!number) return undefined;
  let at = offset + 4 + number.length;
  let blockSize: number;
  if (blockCode === 1) blockSize = 192;
  else if (blockCode <= 5) blockSize = 576 << (blockCode - 2);
  else if (blockCode === 6) blockSize = bytes[at++]! + 1;
  else if (blockCode === 7) blockSize = ((bytes[at++]! << 8) | bytes[at++]!) + 1;
  else blockSize = 256 << (blockCode - 8);
  let sampleRate = rateCode === 0 ? null : RATE_CODES[rateCode]!;
  if (rateCode === 12) sampleRate = bytes[at++]! * 1000;
  else if (rateCode === 13) sampleRate = (bytes[at++]! << 8) | bytes[at++]!;
  else if (rateCode === 14) sampleRate = ((bytes[at++]! << 8) | bytes[at++]!) * 10;
  // Bytes read past the end come out as 0 or NaN; the CRC-8 must still be inside.
  if (at >= bytes.byteLength || crc8(bytes, offset, at) !== bytes[at]) return undefined;
  return {
    length: at + 1 - offset,
    variable,
    number: number.value,
    blockSize,
    sampleRate,
    channels: channelCode < 8 ? channelCode + 1 : 2,
    bitsPerSample: [null, 8, 12, null, 16, 20, 24, 32][bitsCode]!,
  };
}

/**
 * Where the frame at `offset` ends: the first place after its header where its CRC-16 checks and
 * either the bytes end or frame `next`'s header starts (a sync code inside the audio data fails
 * one of the three).
 */
function frameEnd(bytes: Uint8Array, offset: number, headerLength: number, next: number): number | undefined {
  let crc = crc16(bytes, offset, offset + headerLength);
  for (let at = offset + headerLength; at < bytes.byteLength; ) {
    crc = ((crc << 8) ^ CRC16_TABLE[(crc >> 8) ^ bytes[at]!]!) & 0xffff;
    at++;
    if (crc !== 0) continue;
    if (at === bytes.byteLength) return at;
    if (bytes[at] === 0xff && readFrameHeader(bytes, at)?.number === next) return at;
  }
  return undefined;
}

/** The number as RFC 9639 §9.1.5 codes it: UTF-8's scheme extended to 36 bits, shortest form. */
function readCodedNumber(bytes: Uint8Array, offset: number): { value: number; length: number } | undefined {
  const lead = bytes[offset];
  if (lead === undefined) return undefined;
  if (lead < 0x80) return { value: lead, length: 1 };
  let length = 0;
  while (length < 8 && lead & (0x80 >> length)) length++;
  if (length < 2 || length > 7 || offset + length > bytes.byteLength) return undefined;
  let value = length === 7 ? 0 : lead & (0xff >> (length + 1));
  for (let i = 1; i < length; i++) {
    const byte = bytes[offset + i]!;
    if ((byte & 0xc0) !== 0x80) return undefined;
    value = value * 64 + (byte & 0x3f);
  }
  if (codedLength(value) !== length) return undefined; // not the shortest form
  return { value, length };
}

/** Bytes the coded number `value` takes. */
function codedLength(value: number): number {
  if (value < 0x80) return 1;
  let length = 2;
  while (value >= 2 ** (5 * length + 1)) length++;
  return length;
}

function codedNumber(value: number): Uint8Array {
  const length = codedLength(value);
  if (length === 1) return Uint8Array.of(value);
  if (length > 7) throw new Error(`flac: sample number ${value} is past 36 bits`);
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i > 0; i--) {
    out[i] = 0x80 | (rest % 64);
    rest = Math.floor(rest / 64);
  }
  out[0] = ((0xff00 >> length) & 0xff) | rest;
  return out;
}

/** CRC-8 of the frame header: polynomial x^8 + x^2 + x + 1, initial 0. */
function crc8(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = CRC8_TABLE[crc ^ bytes[i]!]!;
  return crc;
}

/** CRC-16 of the whole frame: polynomial x^16 + x^15 + x^2 + 1, initial 0. */
function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC16_TABLE[(crc >> 8) ^ bytes[i]!]!) & 0xffff;
  return crc;
}

const CRC8_TABLE = crcTable(8, 0x07);
const CRC16_TABLE = crcTable(16, 0x8005);

function crcTable(bits: number, polynomial: number): Uint16Array {
  const top = 1 << (bits - 1);
  const mask = (1 << bits) - 1;
  return Uint16Array.from({ length: 256 }, (_, byte) => {
    let crc = byte << (bits - 8);
    for (let i = 0; i < 8; i++) crc = (crc & top ? (crc << 1) ^ polynomial : crc << 1) & mask;
    return crc;
  });
}
