import type { Context } from 'hono';
import type { z } from 'zod';
import { invalidRequest } from '../../../../shared/errors.ts';
import { isLanguageCode, LANGUAGE_CODES, type LanguageCode } from '../../../../shared/languages.ts';
import { REALTIME_FORMATS, type RealtimeConfigSchema } from '../../../../shared/schemas/realtime.ts';
import type { AppEnv } from '../../../env.ts';
import { ELEVENLABS_OUTPUT_FORMATS, parseOutputFormat, type SpeechOutputFormat } from '../speech/output-format.ts';
import { type ElevenLabsClientMessage, ElevenLabsClientMessageSchema } from './socket-messages.ts';

/**
 * What an ElevenLabs socket is asked for, read before anything is spoken: its URL's query
 * parameters, its messages as JSON, and how its first message's generation settings become our
 * session's chunking. The bridge (socket-bridge.ts) drives the session with them.
 */

/** ElevenLabs' default inactivity timeout, seconds, and its most. */
const DEFAULT_INACTIVITY_SECONDS = 20;
const MAX_INACTIVITY_SECONDS = 180;
/** `auto_mode` ("no buffering, for whole sentences"): text without a sentence end is spoken after this long, our least. */
const AUTO_MODE_DELAY_MS = 50;
export type ConfigMessage = z.input<typeof RealtimeConfigSchema>;

/** What the URL asks of the socket: ElevenLabs' query parameters, checked before anything is spoken. */
export interface SocketOptions {
  voiceId: string;
  modelId: string | undefined;
  output: SpeechOutputFormat;
  language: LanguageCode | undefined;
  autoMode: boolean;
  idleMs: number;
}

const flag = (value: string | undefined) => value?.toLowerCase() === 'true';

/** Our formats whose chunks join into one stream, as ElevenLabs' output_format names them. */
export const SOCKET_OUTPUT_FORMATS = ELEVENLABS_OUTPUT_FORMATS.filter((name) => (REALTIME_FORMATS as readonly string[]).includes(parseOutputFormat(name).response_format));

export function readOptions(c: Context<AppEnv>): SocketOptions {
  const query = (name: string) => c.req.query(name);
  const output = parseOutputFormat(query('output_format'));
  if (!(REALTIME_FORMATS as readonly string[]).includes(output.response_format)) {
    // WAV and Ogg Opus would repeat their header in every chunk: a socket streams raw samples or MP3 frames.
    throw invalidRequest('unsupported_output_format', `On the socket output_format is one of ${SOCKET_OUTPUT_FORMATS.join(', ')}.`, 'output_format');
  }
  const inactivity = query('inactivity_timeout') ?? String(DEFAULT_INACTIVITY_SECONDS);
  const seconds = Number(inactivity);
  if (!/^\d+$/.test(inactivity) || seconds < 1 || seconds > MAX_INACTIVITY_SECONDS) {
    throw invalidRequest('invalid_parameter', `inactivity_timeout is a whole number of seconds from 1 to ${MAX_INACTIVITY_SECONDS}.`, 'inactivity_timeout');
  }
  const modelId = query('model_id');
  if (modelId === '') throw invalidRequest('invalid_parameter', 'model_id is empty: name a model (GET /v1/models), or leave it out for the default.', 'model_id');
  const language = query('language_code');
  if (language !== undefined && !isLanguageCode(language)) {
    throw invalidRequest('unsupported_language', `language_code ${JSON.stringify(language)} is not one of ${LANGUAGE_CODES.join(', ')}.`, 'language_code');
  }
  // Accepted and not used: sync_alignment (every audio message carries the alignment of the
  // characters whose words start in it, always), enable_logging (text is never logged),
  // enable_ssml_parsing, apply_text_normalization, seed.
  return { voiceId: c.req.param('voice_id')!, modelId, output, language, autoMode: flag(query('auto_mode')), idleMs: seconds * 1000 };
}

export function parseMessage(data: string | ArrayBuffer): ElevenLabsClientMessage {
  if (typeof data !== 'string') throw invalidRequest('invalid_message', 'Messages are JSON text; binary frames are never read.');
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw invalidRequest('invalid_message', 'The message is not JSON.');
  }
  const parsed = ElevenLabsClientMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidRequest('invalid_message', `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Where the session cuts text into chunks. ElevenLabs' `chunk_length_schedule` is how much text
 * waits before a generation; its first entry, the one that sets the time to first audio, becomes
 * our `max_characters` (text without a sentence end is spoken once this long). The chunker already
 * speaks at every sentence end, and sizes after the first are its own. `auto_mode` speaks what
 * has no sentence end almost at once.
 */
export function chunkingFor(first: ElevenLabsClientMessage, autoMode: boolean): ConfigMessage['chunking'] {
  const schedule = (first.generation_config ?? first.generator_config)?.chunk_length_schedule;
  const firstLength = schedule?.[0];
  return {
    ...(firstLength === undefined ? {} : { max_characters: Math.min(1000, Math.max(20, Math.round(firstLength))) }),
    ...(autoMode ? { max_delay_ms: AUTO_MODE_DELAY_MS } : {}),
  };
}
