import type { ResponseFormat } from '../../../shared/audio/formats.ts';

/**
 * What later chunks' placement needs to know of a stored chunk, kept beside its bytes (JSON).
 * Each format fills in its own fields; the others stay absent.
 */
export interface ChunkFacts {
  /** Ogg: pages in the stored bytes (later chunks' pages are numbered after them). */
  oggPages?: number;
  /** Ogg: 48 kHz samples its packets decode to (later chunks' granule positions start after them). */
  oggGranules?: number;
  /** Ogg: the chunk's stream serial; the file's stream takes chunk 0's. */
  oggSerial?: number;
  /** FLAC: samples in its frames (later chunks' frames are numbered by sample, after them). */
  flacSamples?: number;
  /** FLAC: samples in each frame but the last (the encoder's fixed block size). */
  flacBlockSize?: number;
  /** FLAC: frames in the chunk (their lengths are in the stored bytes' own index: joining/flac.ts). */
  flacFrameCount?: number;
}

/** A rendered chunk as it is stored: the bytes that go into the file, its audio length, its facts. */
export interface StoredChunk {
  bytes: Uint8Array;
  /** Samples (at the job's rate) the chunk adds to the decoded file. */
  samples: number;
  facts: ChunkFacts;
}

/** What a file's header states of the chunks after it, when the job is finished. */
export interface FileTotals {
  /** The chunks' bytes in the file together. */
  bytes: number;
  /** Samples (at the job's rate) they decode to together. */
  samples: number;
}

/** Where a chunk goes in the file. */
export interface Placement {
  /** The chunk's position in the job, from 0. */
  index: number;
  /** The chunk's own facts. */
  facts: ChunkFacts;
  /** The facts of every chunk before it, in order (`index` of them). */
  before: readonly ChunkFacts[];
  /** Whether it is the job's final chunk (Ogg marks the end of its stream there). */
  last: boolean;
}

/** How one format's chunks, rendered apart, join into one file. */
export interface FormatJoin {
  /** What the worker renders for a chunk. */
  workerOutput: ResponseFormat;
  storedChunk(sampleRate: number, index: number, workerBytes: Uint8Array): StoredChunk;
  fileHeader(sampleRate: number, totals: FileTotals | null): Uint8Array;
  /** The chunk's length in the file, placed after `before`. */
  lengthInFile(facts: ChunkFacts, before: readonly ChunkFacts[], storedBytes: number): number;
  /** Exactly `lengthInFile` bytes. */
  chunkInFile(stored: Uint8Array, placement: Placement): Uint8Array;
  leadInSamples(sampleRate: number, index: number): number;
}

/** A clear error for bytes a chunk of `format` cannot be. */
export class ChunkBytesError extends Error {
  constructor(format: string, index: number, problem: string) {
    super(`${format} chunk ${index}: ${problem}`);
    this.name = 'ChunkBytesError';
  }
}
