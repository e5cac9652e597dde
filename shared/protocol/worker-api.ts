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

/** The longest pause one segment asks for (SSML `<break>` allows up to this). */
export const MAX_PAUSE_MS = 10_000;

/**
 * How a stretch of a text segment stands for the request's `input` (all in Unicode code points).
 * A segment's runs cover its `text` in order. Words are reported with the offsets of what they
 * stand for in `input`, so timestamps point into the text the user sent whatever was said.
 */
export const SourceRunSchema = z.object({
  /** Code points of the segment's `text` this run covers. */
  length: z.number().int().positive(),
  /** Where the run's source starts in `input`. */
  input_start: z.number().int().nonnegative(),
  /**
   * Present when the run is said in place of other characters of the input (a dictionary alias,
   * an SSML `<sub>` or `<phoneme>`, a number read out): that many code points from `input_start`,
   * reported as one word however many words the run says. Absent: the run is `length` characters
   * of the input as written, word for word.
   */
  replaces: z.number().int().nonnegative().optional(),
  /**
   * Say the run with these phonemes (IPA) rather than as its text. Only sent to a model whose
   * capabilities include `phonemes`; the edge says which it could not honour.
   */
  ipa: z.string().min(1).max(1000).optional(),
});
export type SourceRun = z.infer<typeof SourceRunSchema>;

/** A stretch of speech in one language, rate and emphasis: the edge cuts the input into these. */
export const TextSegmentSchema = z.object({
  text: z.string().min(1),
  language: z.string().min(2),
  /** Multiplies the request's `speed` (SSML `<prosody rate>`); the product is kept within 0.25 to 4. */
  rate: z.number().positive().max(16).optional(),
  /** SSML `<emphasis>`: said with stress. Only sent to a model whose capabilities include `emphasis`. */
  emphasis: z.boolean().optional(),
  /**
   * Where `text` comes from in `input`. Absent: the next characters of `input` as written (the
   * text segments before it, joined, are `input` up to it), as for plain text cut by language.
   */
  source: z.array(SourceRunSchema).min(1).optional(),
});
export type TextSegment = z.infer<typeof TextSegmentSchema>;

/** Silence of exactly this length (SSML `<break>`), joined to the speech around it without a click. */
export const PauseSegmentSchema = z.object({
  pause_ms: z.number().int().positive().max(MAX_PAUSE_MS),
});
export type PauseSegment = z.infer<typeof PauseSegmentSchema>;

export const SpeechSegmentSchema = z.union([TextSegmentSchema, PauseSegmentSchema]);
export type SpeechSegment = z.infer<typeof SpeechSegmentSchema>;

export const isPause = (segment: SpeechSegment): segment is PauseSegment => 'pause_ms' in segment;

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
  /** The language of `input`, or of its first text segment. */
  language: z.string().min(2),
  /** The text the user sent (plain, or SSML): word timestamps point into it. */
  input: z.string().min(1),
  /**
   * What to say, in order, in one stream: `input` cut where its language changes, and (from SSML
   * and pronunciation dictionaries) pauses, rate changes, replaced words and phonemes. Absent: all
   * of `input` as written, in `language`.
   */
  segments: z.array(SpeechSegmentSchema).min(1).optional(),
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
  /** Set by the edge: markup the model could not say as asked, `kind start-end` in characters of the input (edge/pronunciation/not-honored.ts). */
  notHonored: 'x-tts-not-honored',
  /** Set by the edge: `hit` (served from the audio cache, no worker called), `miss` (rendered, and stored) or `off` (edge/cache/). */
  cache: 'x-tts-cache',
  /** Set by a worker: the version of the model's pack (and the worker's encoders) that made the audio; the cache stores only audio of the version its key names. */
  modelVersion: 'x-tts-model-version',
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
