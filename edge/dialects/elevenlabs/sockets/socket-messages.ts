import { z } from 'zod';
import type { ApiError } from '../../../../shared/errors.ts';
import type { CharacterAlignment } from '../speech/alignment.ts';
import { ElevenLabsLocatorsSchema } from '../speech/dictionary-locators.ts';

/**
 * The messages of ElevenLabs' text-to-speech sockets, `/v1/text-to-speech/{voice_id}/stream-input`
 * and `/multi-stream-input`, as their clients send and read them (docs/elevenlabs.md). One lenient
 * schema covers every client message of both: fields are optional and may be null (the official
 * SDKs send null for unset ones), unknown fields are ignored, and the spellings clients use in the
 * wild are all read (`context_id` or `contextId`, `xi_api_key` or `xi-api-key`).
 */

const contextId = z.string().min(1).max(64);
const GenerationConfigSchema = z.object({ chunk_length_schedule: z.array(z.number()).nullish() }).nullish();

export const ElevenLabsClientMessageSchema = z.object({
  /** stream-input: `" "` opens, text follows, `""` ends. multi-stream-input: `" "` opens a context, `""` keeps it alive. */
  text: z.string().nullish(),
  /** Speak what is buffered now. */
  flush: z.boolean().nullish(),
  /** Accepted; the chunker already speaks at each sentence end. */
  try_trigger_generation: z.boolean().nullish(),
  /** `speed` is applied; stability, similarity_boost, style and use_speaker_boost are accepted and ignored. */
  voice_settings: z.object({ speed: z.number().nullish() }).nullish(),
  generation_config: GenerationConfigSchema,
  /** The name stream-input's SendText gives it. */
  generator_config: GenerationConfigSchema,
  xi_api_key: z.string().nullish(),
  'xi-api-key': z.string().nullish(),
  /** `Bearer <key or token>`, or the bare secret. */
  authorization: z.string().nullish(),
  context_id: contextId.nullish(),
  contextId: contextId.nullish(),
  close_context: z.boolean().nullish(),
  close_socket: z.boolean().nullish(),
  /** Read from the first message: applied to every chunk of the socket. */
  pronunciation_dictionary_locators: ElevenLabsLocatorsSchema.nullish(),
});
export type ElevenLabsClientMessage = z.infer<typeof ElevenLabsClientMessageSchema>;

/** The key or client token a first message carries, if any. */
export function messageSecret(message: ElevenLabsClientMessage): string | undefined {
  const bearer = message.authorization?.trim().replace(/^Bearer\s+/i, '');
  return message.xi_api_key?.trim() || message['xi-api-key']?.trim() || bearer || undefined;
}

/**
 * Character timing as ElevenLabs' sockets send it: times in ms from the start of the message's
 * own audio. Durations go under both names clients read: `charDurationsMs` (its API reference and
 * SDK) and `charsDurationsMs` (what its service sent, and many clients still read).
 */
export interface ElevenLabsSocketAlignment {
  chars: string[];
  charStartTimesMs: number[];
  charDurationsMs: number[];
  charsDurationsMs: number[];
}

/** Our characters and times (seconds on the context's clock) as a message's alignment, its audio starting at `messageStartMs`; null when there are none. */
export function socketAlignment(alignment: CharacterAlignment, messageStartMs: number): ElevenLabsSocketAlignment | null {
  if (alignment.characters.length === 0) return null;
  const starts = alignment.character_start_times_seconds.map((seconds) => Math.max(0, Math.round(seconds * 1000 - messageStartMs)));
  const durations = alignment.character_end_times_seconds.map((seconds, i) => Math.max(0, Math.round(seconds * 1000 - messageStartMs) - starts[i]!));
  return { chars: alignment.characters, charStartTimesMs: starts, charDurationsMs: durations, charsDurationsMs: durations };
}

/** Which context a multi-stream-input message is about, under both spellings clients read (its reference says `contextId`, its service has sent `context_id`). */
export const contextFields = (id: string) => ({ contextId: id, context_id: id });

/** Close codes: ElevenLabs closes on a refusal with 1008 (policy violation); our own failures close with 1011. */
export const CLOSE_NORMAL = 1000;
export const CLOSE_POLICY = 1008;
export const CLOSE_SERVER_ERROR = 1011;

/** Codes of failures on our side (5xx), which close with 1011. */
const SERVER_FAULTS = new Set(['internal_error', 'account_state_missing', 'server_misconfigured', 'voice_clip_missing', 'worker_error', 'worker_failed', 'no_worker_available', 'pool_saturated', 'worker_auth_failed']);
export const closeCodeFor = (code: string) => (SERVER_FAULTS.has(code) ? CLOSE_SERVER_ERROR : CLOSE_POLICY);

/**
 * An error as ElevenLabs' sockets send it: `error` the machine-readable code (ours: the same
 * codes as our HTTP API and socket), `message` for people, `code` the close code that follows
 * (absent when the socket stays open), `param` the field at fault.
 */
export interface ElevenLabsSocketError {
  message: string;
  error: string;
  code?: number;
  param?: string;
  contextId?: string;
  context_id?: string;
}

export const socketError = (error: Pick<ApiError, 'code' | 'message'> & { param?: string | undefined }, options: { close?: number; contextId?: string } = {}): ElevenLabsSocketError => ({
  message: error.message,
  error: error.code,
  ...(options.close === undefined ? {} : { code: options.close }),
  ...(error.param ? { param: error.param } : {}),
  ...(options.contextId === undefined ? {} : contextFields(options.contextId)),
});
