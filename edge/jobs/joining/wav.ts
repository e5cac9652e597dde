import { UNKNOWN_LENGTH, WAV_HEADER_BYTES, wavHeader } from '../../../shared/audio/wav.ts';
import { ChunkBytesError, type FormatJoin } from './types.ts';

const BYTES_PER_SAMPLE = 2; // mono s16le

/** The most sample bytes a RIFF header can state (its RIFF size is 36 more, in 32 bits). */
const MAX_STATED_BYTES = UNKNOWN_LENGTH - (WAV_HEADER_BYTES - 8) - 1;

/**
 * WAV: the worker renders raw PCM (`pcm`, no header), so chunks are bare samples that join by
 * concatenation, exactly, with no lead-in; the file's one RIFF header comes from `fileHeader`.
 */
export const wavJoin: FormatJoin = {
  workerOutput: 'pcm',

  storedChunk(_sampleRate, index, workerBytes) {
    // A header in the middle of the data would play as a click: the worker must send bare PCM.
    if (workerBytes.byteLength >= 12 && ascii(workerBytes, 0) === 'RIFF' && ascii(workerBytes, 8) === 'WAVE') {
      throw new ChunkBytesError('wav', index, 'got a RIFF/WAVE file; the worker renders bare PCM (response_format "pcm") for wav jobs');
    }
    if (workerBytes.byteLength % BYTES_PER_SAMPLE !== 0) {
      throw new ChunkBytesError('wav', index, `${workerBytes.byteLength} bytes is not a whole number of 16-bit samples (truncated?)`);
    }
    return { bytes: workerBytes, samples: workerBytes.byteLength / BYTES_PER_SAMPLE, facts: {} };
  },

  fileHeader(sampleRate, totals) {
    // Past 4 GiB (a day of 24 kHz audio) RIFF cannot state the size: say "to the end", as a stream does.
    const stated = totals === null || totals.bytes > MAX_STATED_BYTES ? UNKNOWN_LENGTH : totals.bytes;
    return wavHeader({ sampleRate, channels: 1, bitsPerSample: 16 }, stated);
  },

  lengthInFile: (_facts, _before, storedBytes) => storedBytes,

  chunkInFile: (stored) => stored,

  leadInSamples: () => 0,
};

const ascii = (bytes: Uint8Array, offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
