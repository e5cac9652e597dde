import { z } from 'zod';
import { WordTimestampSchema } from '../../shared/protocol/timed-audio.ts';

/** The public shapes of jobs (the OpenAPI document shows them; job-view.ts and the routes make them). */

export const JobStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);

export const WebhookStateSchema = z
  .object({
    status: z.enum(['none', 'pending', 'delivered', 'failed']).describe('`none`: no `webhook_url`. `failed`: every attempt failed; the job is finished all the same.'),
    attempts: z.number().int().optional(),
    last_error: z.string().optional(),
    delivered_at: z.string().optional(),
    next_attempt_at: z.string().optional(),
  })
  .describe("The completion webhook's delivery.");

export const JobViewSchema = z.object({
  id: z.string().describe('`job_…`'),
  object: z.literal('audio.job'),
  status: JobStatusSchema,
  model: z.string(),
  voice: z.string(),
  language: z.string().nullable().describe('null: detected per chunk.'),
  response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav']),
  sample_rate: z.number().int(),
  characters: z.number().int().describe('What the job costs at most; it is charged the characters of the chunks rendered.'),
  chunks: z.number().int().describe('Pieces the text was split into, each rendered by one worker.'),
  progress: z.object({
    chunks_done: z.number().int(),
    chunks_in_flight: z.number().int().describe('Queued or on a worker now (at most JOB_CHUNKS_IN_FLIGHT).'),
    chunks_rendering: z.number().int().describe('Of those, taken by a renderer and on their way to or on a worker.'),
    chunks_failed: z.number().int(),
    retries: z.number().int().describe('Attempts that did not store their chunk (a worker lost, a busy pool) and were tried again.'),
    characters_done: z.number().int(),
    audio_ms: z.number(),
    bytes: z.number().int(),
    fraction: z.number().describe('0 to 1, by characters.'),
    estimated_seconds_left: z.number().nullable().describe('From the pace so far; null before the first chunk is done and once finished.'),
  }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  webhook: WebhookStateSchema,
  metadata: z.record(z.string(), z.string()),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  expires_at: z.string().nullable().describe('When the stored audio is deleted (set once the job ends).'),
  version: z.number().int().describe('Grows with every change (the events stream sends it).'),
});

export const JobListSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      id: z.string(),
      status: JobStatusSchema.describe('As of its last change of status; GET the job for its progress.'),
      model: z.string(),
      voice: z.string(),
      response_format: z.string(),
      characters: z.number().int(),
      chunks: z.number().int(),
      created_at: z.string(),
      finished_at: z.string().nullable(),
    }),
  ),
  has_more: z.boolean(),
  next_after: z.string().nullable().describe('Pass as `after` for the next page.'),
});

export const JobTimestampsSchema = z.object({
  job_id: z.string(),
  status: JobStatusSchema,
  complete: z.boolean().describe('False while the job renders: the words of the chunks done in order so far.'),
  words: z.array(WordTimestampSchema).describe("On the whole file's clock; character offsets into the job's text."),
});
