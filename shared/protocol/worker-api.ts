import { z } from 'zod';
import { ModelInfoSchema } from '../schemas/catalog.ts';
import { RESPONSE_FORMATS } from '../schemas/speech.ts';
import { VoiceProfileSchema } from '../schemas/voice-profile.ts';

/**
 * The edge-to-worker protocol: what the edge sends a gpu-worker and what it gets back. Every
 * request is signed (see signing.ts); the worker answers JSON errors in the shape of
 * shared/errors.ts before streaming starts, and cuts the connection if it fails after.
 */
export const WORKER_PATHS = {
  synthesize: '/v1/synthesize',
  catalog: '/v1/catalog',
  /** Body: the clip's bytes as uploaded; parameters in the (signed) query, see VoiceCloneParams. */
  cloneVoice: '/v1/voices/clone',
  designVoice: '/v1/voices/design',
  healthz: '/healthz',
  readyz: '/readyz',
} as const;

/**
 * A cloned or designed voice travels with each request that uses it, so any worker serves it.
 * `version` changes when a voice is created anew: a worker caches what it decodes under id@version.
 */
export const WorkerVoiceSchema = z.object({
  id: z.string().min(1).max(128),
  version: z.number().int().nonnegative(),
  profile: VoiceProfileSchema,
});
export type WorkerVoice = z.infer<typeof WorkerVoiceSchema>;

/** A stretch of the input in one language: the edge cuts mixed-language text into these. */
export const TextSegmentSchema = z.object({
  text: z.string().min(1),
  language: z.string().min(2),
});
export type TextSegment = z.infer<typeof TextSegmentSchema>;

/**
 * Whose request it is: `live`, someone listening now; `background`, a long-form job's chunk,
 * which can wait. A worker serves live requests first and keeps slots for them (see
 * gpu-worker/scheduler.ts).
 */
export const WORKER_PRIORITIES = ['live', 'background'] as const;
export type WorkerPriority = (typeof WORKER_PRIORITIES)[number];

/** A speech request after the edge resolved it: model, voice, language and rate are all known. */
export const WorkerSynthesisRequestSchema = z.object({
  request_id: z.string().min(1).max(128),
  model: z.string().min(1),
  /** A preset id of the model, or the id of `voice_profile`. */
  voice: z.string().min(1),
  voice_profile: WorkerVoiceSchema.optional(),
  /** The language of `input`, or of its first segment. */
  language: z.string().min(2),
  input: z.string().min(1),
  /**
   * `input` cut where its language changes, spoken one after the other in one stream. Absent:
   * all of `input` in `language`.
   */
  segments: z.array(TextSegmentSchema).min(1).optional(),
  instructions: z.string().optional(),
  response_format: z.enum(RESPONSE_FORMATS),
  /** Output rate in Hz, one the format offers (shared/audio/formats.ts); absent: the format's default. */
  sample_rate: z.number().int().positive().optional(),
  /**
   * Bits per second for a compressed format, one it offers at `sample_rate` (`resolveBitrate` in
   * shared/audio/formats.ts); absent: the format's default.
   */
  bitrate: z.number().int().positive().optional(),
  speed: z.number().min(0.25).max(4),
  seed: z.number().int().nonnegative().optional(),
  /**
   * Bytes the client already has from a worker that died mid-stream: this worker regenerates the
   * same audio (same seed, same voice), encodes it the same way, and sends only what follows
   * them, for the edge to splice into the client's stream. Which formats and models can be
   * resumed: `splice` and `canResume` in shared/audio/formats.ts.
   */
  resume_at_byte: z.number().int().nonnegative().optional(),
  /**
   * Answer the audio framed with the words spoken in it (shared/protocol/timed-audio.ts) rather
   * than as plain audio.
   */
  timestamps: z.boolean().optional(),
  /**
   * `background` for a job's chunk: it waits longer for a slot (in its own bounded queue, then
   * 503 worker_busy), never takes the slots kept for live requests, and its work goes after live
   * streams' in the engine. Absent: `live`.
   */
  priority: z.enum(WORKER_PRIORITIES).optional(),
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
  /** The languages spoken, in order, when the edge detected them from the text: "en,de". */
  detectedLanguages: 'x-tts-detected-languages',
} as const;

/**
 * The worker's part of a response's `Server-Timing` (ms): time waiting for a synthesis slot, and
 * from the request's arrival to its first audio. The edge adds its own admission time.
 */
export const WORKER_TIMINGS = { queue: 'queue', firstAudio: 'first_audio' } as const;

/** Reference clips are at most this large as uploaded (the edge refuses larger ones first). */
export const MAX_CLIP_BYTES = 10 * 1024 * 1024;

/** Query parameters of `POST /v1/voices/clone`; the body is the clip. */
export const VoiceCloneParamsSchema = z.object({
  request_id: z.string().min(1).max(128),
  model: z.string().min(1),
  language: z.string().min(2).optional(),
  transcript: z.string().max(2000).optional(),
  /** A designed voice cloned from its preview: the description it came from. */
  description: z.string().max(2000).optional(),
  /** `1`: answer the checked clip (mono, 24 kHz WAV) for the edge to store. */
  reference: z.enum(['0', '1']).default('0'),
  /** `stored`: a clip the edge kept (checked when the voice was made, or a design's preview): decode it, judge nothing. */
  source: z.enum(['upload', 'stored']).default('upload'),
});
export type VoiceCloneParams = z.input<typeof VoiceCloneParamsSchema>;

export const VoiceDesignRequestSchema = z.object({
  request_id: z.string().min(1).max(128),
  model: z.string().min(1),
  description: z.string().min(1).max(2000),
  language: z.string().min(2),
  /** Spoken with the new voice: the preview the edge keeps, so models that clone can use the voice. */
  preview_text: z.string().min(1).max(500),
  seed: z.number().int().nonnegative().optional(),
});
export type VoiceDesignRequest = z.infer<typeof VoiceDesignRequestSchema>;

/** Mono audio as base64 of a 16-bit WAV. */
export const EncodedAudioSchema = z.object({
  format: z.literal('wav'),
  sample_rate: z.number().int().positive(),
  duration_seconds: z.number().nonnegative(),
  base64: z.string(),
});

/** What a worker answers for a clone or a design: the profile, and the audio the edge keeps. */
export const WorkerVoiceResultSchema = z.object({
  profile: VoiceProfileSchema,
  /** The clip as checked: its facts always; its audio when asked (clone) or as the preview (design). */
  reference: z.object({
    format: z.string(),
    duration_seconds: z.number().nonnegative(),
    speech_seconds: z.number().nonnegative(),
    audio: EncodedAudioSchema.optional(),
  }),
});
export type WorkerVoiceResult = z.infer<typeof WorkerVoiceResultSchema>;
