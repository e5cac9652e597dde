import type { Env } from '../env.ts';
import { chunkInFile, chunkLengthInFile, fileHeader } from './joining/index.ts';
import { jobObject } from './job-stub.ts';
import type { JobLayout } from './job-types.ts';
import { FINISHED } from './job-types.ts';

/** How long a follower waits on the job for its next chunk before it asks again. */
const FOLLOW_WAIT_MS = 20_000;

/** Where each chunk's bytes sit in the finished file. */
export interface FileMap {
  header: Uint8Array;
  /** Byte offset of each ready chunk in the file, its length there, and the file's size so far. */
  offsets: number[];
  lengths: number[];
  size: number;
}

/** Offsets from every ready chunk's facts (the joining layer), without reading a chunk. */
export function fileMap(layout: JobLayout, complete: boolean): FileMap {
  const { spec, ready } = layout;
  const facts = ready.map((chunk) => chunk.facts);
  const lengths = ready.map((chunk, position) => chunkLengthInFile(spec.response_format, chunk, facts.slice(0, position)));
  const bytes = lengths.reduce((sum, length) => sum + length, 0);
  const samples = ready.reduce((sum, chunk) => sum + chunk.samples, 0);
  const header = fileHeader(spec.response_format, spec.sample_rate, complete ? { bytes, samples } : null);
  const offsets: number[] = [];
  let at = header.byteLength;
  for (const length of lengths) {
    offsets.push(at);
    at += length;
  }
  return { header, offsets, lengths, size: at };
}

/** A stored chunk as it goes into the file (the joining layer places it after the chunks before it). */
async function chunkBytes(env: Env, layout: JobLayout, position: number): Promise<Uint8Array> {
  const chunk = layout.ready[position]!;
  const object = await env.JOB_AUDIO.get(chunk.audio_key);
  if (!object) throw new Error(`chunk ${chunk.index} of job ${layout.spec.id} is missing from storage (${chunk.audio_key})`);
  const stored = new Uint8Array(await object.arrayBuffer());
  // The chunk count is fixed when the job is created: a follower places the last chunk as the finished file does.
  const last = position === layout.chunks - 1;
  return chunkInFile(layout.spec.response_format, stored, chunk.index, chunk.facts, layout.ready.slice(0, position).map((placed) => placed.facts), last);
}

/** Bytes `[start, end]` (inclusive) of a finished job's file, read chunk by chunk from R2. */
export function fileRange(env: Env, layout: JobLayout, map: FileMap, start: number, end: number): ReadableStream<Uint8Array> {
  let position = 0;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        if (start < map.header.byteLength) {
          controller.enqueue(map.header.subarray(start, Math.min(end + 1, map.header.byteLength)));
          return;
        }
      }
      // The next chunk that overlaps the range.
      while (position < layout.ready.length && map.offsets[position]! + map.lengths[position]! <= start) position++;
      if (position >= layout.ready.length || map.offsets[position]! > end) {
        controller.close();
        return;
      }
      const at = map.offsets[position]!;
      const bytes = await chunkBytes(env, layout, position);
      position++;
      controller.enqueue(bytes.subarray(Math.max(0, start - at), Math.min(bytes.byteLength, end + 1 - at)));
    },
  });
}

/**
 * A running job's file from its first byte, followed as it renders: the header (whose size is not
 * known yet), the chunks done in order, then each next chunk as soon as it is stored, until the
 * job completes (the stream ends) or fails or is cancelled (the stream errors, so that a player
 * does not take a cut file for a whole one).
 */
export function followFile(env: Env, first: JobLayout): ReadableStream<Uint8Array> {
  const job = jobObject(env, first.spec.id);
  let layout = first;
  let sent = 0;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        const header = fileHeader(layout.spec.response_format, layout.spec.sample_rate, null);
        if (header.byteLength > 0) {
          controller.enqueue(header);
          return;
        }
      }
      for (;;) {
        if (sent < layout.ready.length) {
          controller.enqueue(await chunkBytes(env, layout, sent));
          sent++;
          return;
        }
        if (layout.status === 'completed') {
          controller.close();
          return;
        }
        if (FINISHED.has(layout.status)) {
          controller.error(new Error(`job ${layout.spec.id} ${layout.status} before its file was whole`));
          return;
        }
        await job.watch(layout.version, FOLLOW_WAIT_MS);
        layout = (await job.layout())!;
      }
    },
  });
}

/** One `bytes=` range of a Range header against a file of `size` bytes: the range, null for none or several (answered whole), or 'unsatisfiable'. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, from, to] = match;
  if (from === '' && to === '') return null;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
