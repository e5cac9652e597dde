import { ChunkBytesError, type FormatJoin } from './types.ts';

/** ADTS sampling_frequency_index (ISO/IEC 14496-3, 1.6.3.4). */
const SAMPLE_RATES = [96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8000, 7350];
/** Samples an AAC-LC raw data block decodes to. */
const BLOCK_SAMPLES = 1024;
/**
 * libavcodec's AAC encoder (the worker's, through mediabunny) primes with one block: each chunk's
 * decoded audio starts with 1024 samples of near-silence, which ADTS has no field to trim.
 */
const LEAD_IN_SAMPLES = 1024;

/**
 * AAC: ADTS is a run of self-describing frames with no file header, so chunks join by
 * concatenation. Each join keeps the next chunk's priming block (LEAD_IN_SAMPLES) and the previous
 * chunk's last-block padding; the decoder's overlap at the join adds two stretches of near-silence.
 */
export const aacJoin: FormatJoin = {
  workerOutput: 'aac',

  storedChunk(sampleRate, index, workerBytes) {
    const fail = (problem: string) => new ChunkBytesError('aac', index, problem);
    let samples = 0;
    for (let offset = 0; offset < workerBytes.byteLength; ) {
      const b = workerBytes.subarray(offset, offset + 7);
      if (b.byteLength < 7 || b[0] !== 0xff || (b[1]! & 0xf6) !== 0xf0) throw fail(`byte ${offset} is not an ADTS frame header`);
      const profile = b[2]! >> 6;
      const rate = SAMPLE_RATES[(b[2]! >> 2) & 15];
      if (profile !== 1) throw fail(`the frame at byte ${offset} is not AAC-LC (profile ${profile + 1})`);
      if (rate !== sampleRate) throw fail(`a frame at ${rate ?? 'an unknown rate'} Hz in a ${sampleRate} Hz job`);
      const frameBytes = ((b[3]! & 3) << 11) | (b[4]! << 3) | (b[5]! >> 5);
      if (frameBytes < 7) throw fail(`the frame at byte ${offset} says it is ${frameBytes} bytes`);
      if (offset + frameBytes > workerBytes.byteLength) throw fail(`the frame at byte ${offset} needs ${frameBytes} bytes, ${workerBytes.byteLength - offset} are left (truncated)`);
      samples += ((b[6]! & 3) + 1) * BLOCK_SAMPLES;
      offset += frameBytes;
    }
    if (samples === 0) throw fail('no ADTS frames');
    return { bytes: workerBytes, samples, facts: {} };
  },

  fileHeader: () => new Uint8Array(0),

  lengthInFile: (_facts, _before, storedBytes) => storedBytes,

  chunkInFile: (stored) => stored,

  leadInSamples: () => LEAD_IN_SAMPLES,
};
