import { DictionaryLocatorsSchema } from './pronunciation.ts';
import { z } from 'zod';
import { SAMPLE_RATES } from '../audio/formats.ts';
import { WordTimestampSchema } from '../protocol/timed-audio.ts';
import { CacheModeSchema, LanguageCodeSchema } from './speech.ts';

/**
 * `GET /v1/audio/speech/stream`: the realtime socket's messages (docs/realtime.md). Text goes in
 * piece by piece, per context; audio comes out per context as it is made, in order.
 */

/**
 * Formats whose chunks join into one stream by concatenation: raw samples, and MP3 frames. The
 * containers (WAV, Ogg, ADTS, FLAC) would repeat headers at every chunk.
 */
export const REALTIME_FORMATS = ['pcm', 'mulaw', 'alaw', 'mp3'] as const;

/** Where a context's buffered text is cut into the pieces that are synthesized. */
export const ChunkingSchema = z
  .object({
    /** `sentence`: at a sentence's end; `clause`: also at a comma, semicolon or colon (sooner audio, plainer prosody). */
    boundary: z.enum(['sentence', 'clause']).default('sentence'),
    /** Text without a boundary is cut (at a space) once it is this long. */
    max_characters: z.number().int().min(20).max(1000).default(250),
    /** Text without a boundary is spoken once it has waited this long for more, ms. */
    max_delay_ms: z.number().int().min(50).max(10_000).default(1000),
  })
  .default({ boundary: 'sentence', max_characters: 250, max_delay_ms: 1000 });
export type Chunking = z.infer<typeof ChunkingSchema>;

const contextId = z.string().min(1).max(64).describe('Which context the message is for; absent: `default`.');

export const RealtimeConfigSchema = z.object({
  type: z.literal('config'),
  model: z.string().min(1).max(128).optional(),
  voice: z.string().min(1).max(128).optional(),
  language: LanguageCodeSchema.optional().describe('Absent: detected from each chunk.'),
  response_format: z.enum(REALTIME_FORMATS).default('pcm'),
  sample_rate: z
    .number()
    .int()
    .refine((rate) => (SAMPLE_RATES as readonly number[]).includes(rate), `one of ${SAMPLE_RATES.join(', ')}`)
    .optional(),
  /** For `mp3`: bits per second, one it has at `sample_rate` (resolveBitrate in shared/audio/formats.ts); absent: its default. */
  bitrate: z.number().int().positive().optional(),
  speed: z.number().min(0.25).max(4).default(1),
  instructions: z.string().max(4096).optional(),
  chunking: ChunkingSchema,
  /** True: each audio message is a JSON header followed by one binary frame of audio, not base64. */
  binary: z.boolean().default(false),
  /** Applied to every chunk; a dictionary named without a version is pinned to its latest when the socket is configured (`ready` says which). */
  pronunciation_dictionaries: DictionaryLocatorsSchema.optional(),
  /** `off`: no chunk is served from or stored in the audio cache; absent: `auto` (docs/cache.md). */
  cache: CacheModeSchema.optional(),
});
export type RealtimeConfig = z.infer<typeof RealtimeConfigSchema>;

export const ClientMessageSchema = z.discriminatedUnion('type', [
  RealtimeConfigSchema,
  z.object({ type: z.literal('text'), text: z.string().max(4096), context_id: contextId.optional() }),
  /** Speak what is buffered now, without waiting for a boundary. */
  z.object({ type: z.literal('flush'), context_id: contextId.optional() }),
  /** Barge-in: drop buffered text and stop the context's audio now. */
  z.object({ type: z.literal('cancel'), context_id: contextId.optional() }),
  /** No more text for the context: speak what is buffered, then `done`. */
  z.object({ type: z.literal('close'), context_id: contextId.optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const DEFAULT_CONTEXT_ID = 'default';

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    session_id: z.string(),
    model: z.string(),
    voice: z.string(),
    response_format: z.enum(REALTIME_FORMATS),
    sample_rate: z.number().int(),
    /** The dictionaries every chunk is said with, each at the version it was pinned to. */
    pronunciation_dictionaries: z.array(z.object({ id: z.string(), version: z.number().int() })).optional(),
  }),
  z.object({
    type: z.literal('audio'),
    context_id: z.string(),
    /** Base64 audio; absent when the session is `binary` (the bytes follow as one binary frame). */
    audio: z.string().optional(),
    /** With `binary`: the length of the binary frame that follows. */
    bytes: z.number().int().optional(),
    /** The words that start in this audio; times from the start of the context's audio, ms. */
    timestamps: z.array(WordTimestampSchema),
  }),
  z.object({
    type: z.literal('done'),
    context_id: z.string(),
    /** Why it ended: all its text was spoken (`close`), it was cancelled, or an error (sent before) ended it. */
    reason: z.enum(['closed', 'cancelled', 'failed']),
    usage: z.object({ characters: z.number().int(), audio_ms: z.number() }),
    /** Stretches the model could not say as asked (a dictionary's phoneme rule on a model without phonemes), said as plain text; offsets in the context's text. */
    not_honored: z.array(z.object({ kind: z.enum(['phoneme', 'emphasis']), char_start: z.number().int(), char_end: z.number().int(), text: z.string() })).optional(),
    timings: z.object({ first_audio_ms: z.number().nullable().describe('From the first text of the context to its first audio.') }),
  }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    context_id: z.string().optional(),
    retry_after_seconds: z.number().int().optional(),
    /** True: the context waits `retry_after_seconds` and tries again by itself (nothing is lost); absent: the context ended. */
    retrying: z.boolean().optional(),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
