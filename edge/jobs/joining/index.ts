/**
 * The format layer of long-form jobs (issue 24): a job's chunks are rendered apart, in parallel,
 * each by a fresh encoder that knows nothing of the chunk before it, and stored one by one; the
 * job's file is `fileHeader` then each stored chunk as `chunkInFile` places it. Pure functions over
 * bytes (no bindings), so they run in workerd and in Node tests alike. A chunk's length in the file
 * follows from its facts and those of the chunks before it (`chunkLengthInFile`), so a finished
 * job's file has known offsets (HTTP Range) without reading any chunk.
 *
 * What each format's join does, and what each join adds at 24 kHz (joining.test.ts measures it on
 * real speech: lead-in is the next chunk's, padding the previous chunk's last frame):
 * - wav: the worker renders bare PCM; the file's one RIFF header comes first. Exact: nothing added.
 * - flac: one stream of frames after the file's own `fLaC` header (STREAMINFO: a variable block
 *   size stream, total samples when finished, 0 = unknown while rendering). Each frame header
 *   carries the number of frames (fixed block size) or samples (variable) before it, exact, coded
 *   as UTF-8 is (shortest form), and a fixed block size stream may have a short frame only at its
 *   end, which every chunk has: in the file every frame says variable block size and is numbered by
 *   its first sample, so a frame's header grows by a byte or more with where its chunk lands (its
 *   CRCs are computed again). Exact and lossless: nothing added.
 * - mp3: LAME's frames, concatenated (a new encoder's first frame borrows no bit reservoir; the
 *   worker's LAME writes no ID3 or Xing frame, and one would be dropped). Lead-in 1105 samples of
 *   encoder and decoder delay, 46 ms (25 ms at 44.1 kHz, 138 ms at 8 kHz); padding 0 to 24 ms (a
 *   576-sample frame; 72 ms at 8 kHz).
 * - aac: ADTS frames, concatenated. Lead-in one priming block, 1024 samples, 43 ms; padding 0 to
 *   43 ms (one block).
 * - opus: one Ogg stream. Chunk 0 keeps its OpusHead and OpusTags pages; later chunks lose theirs,
 *   take chunk 0's serial, and their pages are renumbered and their granule positions counted on
 *   (CRCs recomputed). Lead-in the pre-skip, 312 samples at 48 kHz, 6.5 ms, at every rate; padding
 *   0 to 20 ms (one packet), which only a stream's last page may trim (the file's last chunk keeps
 *   it too, so that a chunk adds the same samples wherever it lands).
 */
import type { ResponseFormat } from '../../../shared/audio/formats.ts';
import { aacJoin } from './aac.ts';
import { flacJoin } from './flac.ts';
import { mp3Join } from './mp3.ts';
import { opusJoin } from './opus.ts';
import type { ChunkFacts, FileTotals, FormatJoin, StoredChunk } from './types.ts';
import { wavJoin } from './wav.ts';

export { ChunkBytesError, type ChunkFacts, type FileTotals, type StoredChunk } from './types.ts';

const JOINS = { wav: wavJoin, mp3: mp3Join, aac: aacJoin, opus: opusJoin, flac: flacJoin } satisfies Partial<Record<ResponseFormat, FormatJoin>>;

export type JobFormat = keyof typeof JOINS;

/** The formats whose chunks join into one valid file. */
export const JOB_FORMATS = Object.keys(JOINS) as readonly JobFormat[];

export function isJobFormat(format: string): format is JobFormat {
  return Object.hasOwn(JOINS, format);
}

/** What the worker is asked to render for a chunk of a job in `format` ('pcm' for a wav job). */
export function workerOutputFor(format: JobFormat): { response_format: ResponseFormat } {
  return { response_format: JOINS[format].workerOutput };
}

/**
 * Called once per rendered chunk, before it is stored: the bytes that go into the file, how many
 * decoded samples (at the job's rate) it adds to the file, and the facts later chunks' placement
 * needs. Throws ChunkBytesError on bytes that are not a whole chunk of `format` at `sampleRate`.
 */
export function storedChunk(format: JobFormat, sampleRate: number, index: number, workerBytes: Uint8Array): StoredChunk {
  return JOINS[format].storedChunk(sampleRate, index, workerBytes);
}

/**
 * The bytes before chunk 0's: wav's RIFF header, whose data size is `totals.bytes` (every chunk's
 * bytes in the file together), or flac's `fLaC` header, whose total is `totals.samples`; while the
 * job renders (null) they say "to the end of the stream" or "unknown". Empty for the formats whose
 * first chunk carries its own header.
 */
export function fileHeader(format: JobFormat, sampleRate: number, totals: FileTotals | null): Uint8Array {
  return JOINS[format].fileHeader(sampleRate, totals);
}

/**
 * The length in the file of a stored chunk (`bytes` stored, with its `facts`) placed after the
 * chunks whose facts are `before`: its stored length, but for flac, whose frame headers grow with
 * where they land.
 */
export function chunkLengthInFile(format: JobFormat, chunk: { bytes: number; facts: ChunkFacts }, before: readonly ChunkFacts[]): number {
  return JOINS[format].lengthInFile(chunk.facts, before, chunk.bytes);
}

/**
 * A stored chunk as it goes into the file, given its facts, the facts of every chunk before it and
 * whether it is the job's last (a running job's player reads chunks placed as not last). Exactly
 * `chunkLengthInFile` bytes; a new array when bytes change, `stored` itself when none do.
 */
export function chunkInFile(format: JobFormat, stored: Uint8Array, index: number, facts: ChunkFacts, before: readonly ChunkFacts[], last: boolean): Uint8Array {
  if (before.length !== index) throw new Error(`chunkInFile: chunk ${index} needs the facts of ${index} chunks before it, got ${before.length}`);
  return JOINS[format].chunkInFile(stored, { index, facts, before, last });
}

/**
 * Samples (at the job's rate) of encoder lead-in chunk `index`'s decoded audio has before the audio
 * the engine made: its words' times move by this much on the file's clock.
 */
export function leadInSamples(format: JobFormat, sampleRate: number, index: number): number {
  return JOINS[format].leadInSamples(sampleRate, index);
}
