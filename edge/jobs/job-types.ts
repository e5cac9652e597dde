import type { z } from 'zod';
import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import type { SpeechScript } from '../pronunciation/script.ts';
import type { JobViewSchema } from './job-schemas.ts';

/**
 * A long-form job (docs/jobs.md): a text too long for one stream, split into chunks that any
 * edge isolate renders through the pool (a queue message each), stored in R2 and joined into one
 * file. These are the shapes its Durable Object (job-do.ts) keeps and answers.
 */

/** The formats a job's file may have: those whose separately encoded chunks join (edge/jobs/joining/). */
export type { JobFormat } from './joining/index.ts';
import type { ChunkFacts, JobFormat } from './joining/index.ts';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export const FINISHED: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

/** What a job was asked to be, fixed when it is accepted: every chunk is spoken the same way. */
export interface JobSpec {
  id: string;
  account_id: string;
  /** The key that created it: each chunk is admitted as this key's (a revoked key stops the job). */
  key_id: string;
  /** The served model. */
  model: string;
  /** The voice as named (a preset, an OpenAI alias, or the account's own voice id). */
  voice: string;
  /** The account's own voice the job speaks with, checked when the job was accepted. */
  voice_id?: string;
  /** Absent: detected per chunk, sentence by sentence, as a speech request's is. */
  language?: string;
  response_format: JobFormat;
  sample_rate: number;
  bitrate?: number;
  speed: number;
  /** Every chunk's seed, so that a chunk rendered again is the same audio (chosen when absent). */
  seed?: number;
  instructions?: string;
  /** The dictionaries every chunk is said with, each pinned to the version it had when the job was accepted. */
  pronunciation_dictionaries?: { id: string; version: number }[];
  webhook_url?: string;
  metadata?: Record<string, string>;
  characters: number;
  created_at: string;
}

/** A piece of the job's text, spoken as one request. */
export interface JobChunk {
  index: number;
  text: string;
  /** Where the chunk starts in the job's text, code points. */
  char_offset: number;
  characters: number;
  /** An SSML job's chunk: what it says, its runs' offsets into `text` (a plain chunk says `text` as written). */
  script?: SpeechScript;
}

/** The queue message of a chunk to render. */
export interface ChunkMessage {
  job_id: string;
  index: number;
}

export type ChunkStatus = 'pending' | 'queued' | 'rendering' | 'done' | 'failed';

/** What the consumer gets when it may render a chunk: the attempt it is, and what to speak. */
export type ChunkClaim =
  | { ok: true; attempt_id: string; spec: JobSpec; chunk: JobChunk }
  | { ok: false; reason: 'job_finished' | 'chunk_done' | 'not_queued' | 'no_job' };

/** A rendered chunk, as stored in R2 (stored-chunk facts from the joining layer). */
export interface RenderedChunk {
  audio_key: string;
  words_key: string;
  bytes: number;
  /** Decoded samples (at the job's rate) the chunk adds to the file. */
  samples: number;
  /** What later chunks' placement in the file needs to know of this one (joining layer). */
  facts: ChunkFacts;
  audio_ms: number;
  words: number;
  render_ms: number;
}

/** Why an attempt did not store its chunk, and what the job should do next. */
export interface AttemptFailure {
  /** An ApiError code or a short description. */
  code: string;
  message: string;
  /**
   * `retry`: try again (another worker) after `retry_in_ms`, counting an attempt; `wait`: the
   * account had no stream slot (or the pool no worker): try again later without counting;
   * `fatal`: the job cannot go on (a revoked key, a deleted voice).
   */
  next: 'retry' | 'wait' | 'fatal';
  retry_in_ms?: number;
}

/** A stored chunk placed in the file: what the audio route and the timestamps need. */
export interface PlacedChunk {
  index: number;
  audio_key: string;
  words_key: string;
  bytes: number;
  samples: number;
  facts: ChunkFacts;
  char_offset: number;
}

/** The job's file as far as it is rendered: the chunks done in order from the first. */
export interface JobLayout {
  status: JobStatus;
  spec: JobSpec;
  chunks: number;
  /** Done chunks from chunk 0 on, in order, up to the first that is not done. */
  ready: PlacedChunk[];
  /** Changes each time the job changes: `watch` waits for the next. */
  version: number;
}

export type WebhookState = { status: 'none' } | { status: 'pending' | 'delivered' | 'failed'; attempts: number; last_error?: string; delivered_at?: string; next_attempt_at?: string };

/** `GET /v1/audio/jobs/{id}`: a job as its owner sees it (job-schemas.ts). */
export type JobView = z.infer<typeof JobViewSchema>;

export type { WordTimestamp };
