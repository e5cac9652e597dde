/**
 * The format layer of long-form jobs (issue 24): a job's chunks are rendered apart, in parallel,
 * each by a fresh encoder that knows nothing of the chunk before it, and stored one by one; the
 * job's file is `fileHeader` then each stored chunk as `chunkInFile` places it. Pure functions over
 * bytes (no bindings), so they run in workerd and in Node tests alike. A chunk's stored length is
 * its length in the file, so a finished job's file has known offsets (HTTP Range).
 *
 * What each format's join does, and what each join adds (lead-in: ms at 24 kHz, measured by
 * joining.test.ts on real speech):
 * - wav: the worker renders bare PCM; the file's one RIFF header comes first. Exact: no lead-in,
 *   no padding.
 * - mp3: whole LAME frames, concatenated (a new encoder's first frame borrows no bit reservoir).
 *   Each chunk starts with 1105 samples of encoder + decoder delay (46 ms) and ends with its last
 *   frame's padding (0 to 24 ms at 24 kHz, where a frame is 576 samples).
 * - aac: ADTS frames, concatenated. Each chunk starts with one priming block, 1024 samples (43 ms),
 *   and ends with its last block's padding (0 to 43 ms).
 * - opus: one Ogg stream. Chunk 0 keeps its OpusHead and OpusTags pages; later chunks lose theirs,
 *   take chunk 0's serial, and their pages are renumbered and their granule positions moved on (CRC
 *   recomputed). Each later chunk starts with its pre-skip, 312 samples at 48 kHz (6.5 ms), and each
 *   chunk but the last ends with its last 20 ms packet's padding (0 to 20 ms), which only a
 *   stream's final page may trim.
 *
 * Formats not in JOB_FORMATS are refused by the API (see each one's note in the README).
 */
import type { ResponseFormat } from '../../../shared/audio/formats.ts';
import { aacJoin } from './aac.ts';
import { mp3Join } from './mp3.ts';
import { opusJoin } from './opus.ts';
import type { ChunkFacts, FormatJoin, StoredChunk } from './types.ts';
import { wavJoin } from './wav.ts';

export { ChunkBytesError, type ChunkFacts, type StoredChunk } from './types.ts';

const JOINS = { wav: wavJoin, mp3: mp3Join, aac: aacJoin, opus: opusJoin } satisfies Partial<Record<ResponseFormat, FormatJoin>>;

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
 * The bytes before chunk 0's: wav's RIFF header, whose data size is `totalBytes` (every stored
 * chunk's bytes together) or, while the job renders (null), "to the end of the stream"; empty for
 * the formats whose first chunk carries its own header.
 */
export function fileHeader(format: JobFormat, sampleRate: number, totalBytes: number | null): Uint8Array {
  return JOINS[format].fileHeader(sampleRate, totalBytes);
}

/**
 * A stored chunk as it goes into the file, given the facts of every chunk before it and whether it
 * is the job's last (a running job's player reads chunks placed as not last). Always the same
 * length as `stored`; a new array when bytes change, `stored` itself when none do.
 */
export function chunkInFile(format: JobFormat, stored: Uint8Array, index: number, before: readonly ChunkFacts[], last: boolean): Uint8Array {
  if (before.length !== index) throw new Error(`chunkInFile: chunk ${index} needs the facts of ${index} chunks before it, got ${before.length}`);
  return JOINS[format].chunkInFile(stored, { index, before, last });
}

/**
 * Samples (at the job's rate) of encoder lead-in chunk `index`'s decoded audio has before the audio
 * the engine made: its words' times move by this much on the file's clock.
 */
export function leadInSamples(format: JobFormat, sampleRate: number, index: number): number {
  return JOINS[format].leadInSamples(sampleRate, index);
}
