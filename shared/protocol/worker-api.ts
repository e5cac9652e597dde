import { z } from 'zod';
import { ModelInfoSchema } from '../schemas/catalog.ts';
import { SUPPORTED_RESPONSE_FORMATS } from '../schemas/speech.ts';

/**
 * The edge-to-worker protocol: what the edge sends a gpu-worker and what it gets back. Every
 * request is signed (see signing.ts); the worker answers JSON errors in the shape of
 * shared/errors.ts before streaming starts, and cuts the connection if it fails after.
 */
export const WORKER_PATHS = {
  synthesize: '/v1/synthesize',
  catalog: '/v1/catalog',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

/** A speech request after the edge resolved it: model, voice and language are all known. */
export const WorkerSynthesisRequestSchema = z.object({
  request_id: z.string().min(1).max(128),
  model: z.string().min(1),
  voice: z.string().min(1),
  language: z.string().min(2),
  input: z.string().min(1),
  instructions: z.string().optional(),
  response_format: z.enum(SUPPORTED_RESPONSE_FORMATS),
  speed: z.number().min(0.25).max(4),
  seed: z.number().int().nonnegative().optional(),
});
export type WorkerSynthesisRequest = z.infer<typeof WorkerSynthesisRequestSchema>;

export const WorkerCatalogSchema = z.object({
  worker_id: z.string(),
  models: z.array(ModelInfoSchema),
});
export type WorkerCatalog = z.infer<typeof WorkerCatalogSchema>;

/** Response headers the worker sets on an audio stream. */
export const AUDIO_HEADERS = {
  sampleRate: 'x-audio-sample-rate',
  model: 'x-tts-model',
  voice: 'x-tts-voice',
  language: 'x-tts-language',
  /** The audio format inside `stream_format: "sse"` events. */
  format: 'x-tts-format',
} as const;
