/**
 * Codes to 24 kHz audio, chunk by chunk. The codec decoder is causal: decoding a chunk together
 * with the `leftContext` frames before it, and keeping only the new frames' samples, gives what
 * a decode of the whole sequence would (the reference decodes in chunks with 25 frames of left
 * context). The first chunk is small (time to first audio), later ones larger (fewer runs).
 */
import * as ort from 'onnxruntime-node';
import { runSession, type RunStats } from './run-stats.ts';

export interface ChunkSchedule {
  /** Frames in the first chunk: 1 or 2 for an early first packet. */
  first: number;
  /** Each later chunk doubles, up to this many frames. */
  max: number;
}

export const DEFAULT_SCHEDULE: ChunkSchedule = { first: 2, max: 16 };

export class CodecDecoder {
  private readonly session: ort.InferenceSession;
  readonly groups: number;
  readonly samplesPerFrame: number;
  private readonly stats: RunStats | undefined;

  constructor(session: ort.InferenceSession, dims: { groups: number; samplesPerFrame: number }, stats?: RunStats) {
    this.session = session;
    this.groups = dims.groups;
    this.samplesPerFrame = dims.samplesPerFrame;
    this.stats = stats;
  }

  /** Decodes frames (each `groups` codes) to samples, trimmed to the length the decoder reports. */
  async decode(frames: number[][]): Promise<Float32Array> {
    const flat = new BigInt64Array(frames.length * this.groups);
    frames.forEach((codes, f) => codes.forEach((c, g) => (flat[f * this.groups + g] = BigInt(c))));
    const out = await runSession(
      this.session,
      'tokenizer12hz_decode',
      { audio_codes: new ort.Tensor('int64', flat, [1, frames.length, this.groups]) },
      this.stats,
    );
    const audio = (out.audio_values as ort.Tensor).data as Float32Array;
    const lengths = (out.lengths as ort.Tensor | undefined)?.data as BigInt64Array | undefined;
    const n = lengths && lengths.length > 0 ? Number(lengths[0]) : audio.length;
    return audio.subarray(0, Math.min(n, audio.length));
  }
}

export class CodecStream {
  private readonly decoder: CodecDecoder;
  private readonly leftContext: number;
  private readonly schedule: ChunkSchedule;
  private readonly frames: number[][];
  /** Frames given as context (never emitted). */
  private readonly given: number;
  /** Frames already turned into audio (or given as context). */
  private emitted: number;
  private nextChunk: number;

  /**
   * `context`: frames that precede the stream and are never emitted (in-context cloning's
   * reference frames): the first chunks are decoded with them as left context.
   */
  constructor(decoder: CodecDecoder, leftContext: number, schedule: ChunkSchedule = DEFAULT_SCHEDULE, context: number[][] = []) {
    this.decoder = decoder;
    this.leftContext = leftContext;
    this.schedule = schedule;
    this.nextChunk = schedule.first;
    this.frames = context.slice(-leftContext);
    this.given = this.frames.length;
    this.emitted = this.given;
  }

  /** Frames pushed (context not counted). */
  get frameCount(): number {
    return this.frames.length - this.given;
  }

  push(codes: number[]): void {
    this.frames.push(codes);
  }

  /** Whether enough new frames wait for the next chunk. */
  get ready(): boolean {
    return this.frames.length - this.emitted >= this.nextChunk;
  }

  /** Decodes the pending frames (all of them) and returns only their new samples. */
  async take(): Promise<Float32Array> {
    const end = this.frames.length;
    if (end === this.emitted) return new Float32Array(0);
    const start = Math.max(0, this.emitted - this.leftContext);
    const audio = await this.decoder.decode(this.frames.slice(start, end));
    const skip = (this.emitted - start) * this.decoder.samplesPerFrame;
    this.emitted = end;
    this.nextChunk = Math.min(this.nextChunk * 2, this.schedule.max);
    // A copy: the caller keeps the chunk, the decoder's output buffer can go.
    return audio.slice(skip);
  }
}
