import type { Context } from 'hono';
import { resolveBitrate, resolveSampleRate } from '../../shared/audio/formats.ts';
import { ApiError } from '../../shared/errors.ts';
import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import { ClientMessageSchema, DEFAULT_CONTEXT_ID, type RealtimeConfig, type ServerMessage } from '../../shared/schemas/realtime.ts';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { accountObject } from '../accounts/account-stub.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv } from '../env.ts';
import { base64 } from '../http/base64.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import type { Caller } from '../middleware/caller-auth.ts';
import { checkSpeechTarget } from '../speech/resolve.ts';
import { tokenRefusal } from '../tokens/token-errors.ts';
import { voiceNotFound } from '../voices/errors.ts';
import { loadDictionaries } from '../pronunciation/dictionaries/load-dictionaries.ts';
import type { ChunkSpeaker } from './chunk-speech.ts';
import { errorMessage } from './error-message.ts';
import { SpeechContext } from './speech-context.ts';

/** Contexts one socket may have open at once. */
export const MAX_CONTEXTS = 8;
/** Close codes: 1000 normal; 4000 for an idle socket (RFC 6455 leaves 4000-4999 to applications). */
export const CLOSE_IDLE = 4000;

export interface SessionCaller {
  c: Context<AppEnv>;
  /** The key or client token that opened the socket: each chunk is admitted as it. */
  caller: Caller;
  sessionId: string;
  /** How long the socket may idle before it closes, ms; absent: `REALTIME_IDLE_TIMEOUT_MS`. */
  idleMs?: number;
}

/**
 * What the session needs of its socket: a workerd WebSocket, or a dialect's translator that
 * speaks another protocol to the client (edge/dialects/elevenlabs/sockets/socket-bridge.ts).
 */
export interface SessionSocket {
  accept(): void;
  addEventListener(type: 'message', listener: (event: { data: string | ArrayBuffer }) => void): void;
  addEventListener(type: 'close' | 'error', listener: () => void): void;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

const protocolError = (code: string, message: string) => new ApiError(400, 'invalid_request_error', code, message);

/**
 * One realtime socket: the `config` message first, then text, flush, cancel and close for any
 * of its contexts. Errors are messages (the same codes as HTTP); one context's error leaves the
 * socket and the other contexts as they were.
 */
export class RealtimeSession {
  private readonly socket: SessionSocket;
  private readonly caller: SessionCaller;
  private readonly contexts = new Map<string, SpeechContext>();
  private speaker: ChunkSpeaker | null = null;
  /** Messages are handled one after another, so text sent right behind `config` waits for it. */
  private inbox: Promise<void> = Promise.resolve();
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly idleMs: number;
  private closed = false;

  constructor(socket: SessionSocket, caller: SessionCaller) {
    this.socket = socket;
    this.caller = caller;
    // REALTIME_IDLE_TIMEOUT_MS: a socket with nothing to say and nothing said to it closes after this.
    this.idleMs = caller.idleMs ?? edgeConfig(caller.c.env).realtimeIdleTimeoutMs;
  }

  start(): void {
    this.socket.accept();
    this.socket.addEventListener('message', (event) => {
      this.inbox = this.inbox.then(() => this.receive(event.data));
    });
    this.socket.addEventListener('close', () => this.shutDown());
    this.socket.addEventListener('error', () => this.shutDown());
    this.armIdle();
  }

  private async receive(data: string | ArrayBuffer): Promise<void> {
    this.armIdle();
    try {
      if (typeof data !== 'string') throw protocolError('invalid_message', 'Messages are JSON text; binary frames are only sent, never read.');
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        throw protocolError('invalid_message', 'The message is not JSON.');
      }
      const parsed = ClientMessageSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw protocolError('invalid_message', `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
      }
      const message = parsed.data;
      if (message.type === 'config') return await this.configure(message);
      if (!this.speaker) throw protocolError('not_configured', 'Send a "config" message first.');
      const id = message.context_id ?? DEFAULT_CONTEXT_ID;
      if (message.type === 'text') return this.context(id).text(message.text);
      const context = this.contexts.get(id);
      if (!context) return message.type === 'cancel' ? undefined : this.fail(protocolError('unknown_context', `There is no context "${id}".`), id);
      if (message.type === 'flush') context.flush();
      else if (message.type === 'cancel') context.cancel();
      else context.close();
    } catch (error) {
      this.fail(error instanceof ApiError ? error : new ApiError(500, 'internal_error', 'internal_error', String(error)));
    }
  }

  /** Checks model, voice and language now, so a mistake is heard before any text is sent. */
  private async configure(config: RealtimeConfig): Promise<void> {
    if (this.speaker) throw protocolError('already_configured', 'The session is configured once, by its first message.');
    const rate = resolveSampleRate(config.response_format, config.sample_rate);
    if ('error' in rate) throw protocolError('unsupported_sample_rate', rate.error);
    const bitrate = resolveBitrate(config.response_format, rate.rate, config.bitrate);
    if ('error' in bitrate) throw protocolError('unsupported_bitrate', bitrate.error);
    const { c, caller } = this.caller;
    const pool = new WorkerPool(c.env);
    const model = checkSpeechTarget(c, { ...config, stream_format: 'audio' }, await pool.models());
    const voice = config.voice ?? model.info.default_voice;
    const account = accountObject(c.env, caller.accountId);
    // A client token bound to models or voices: whether these are among them (each chunk's admission asks again).
    if (caller.token) {
      const use = { ...caller.token, scope: 'realtime' as const, model: model.info.id, voice };
      const authorized = await account.authorizeToken(use);
      if (!authorized.ok) throw tokenRefusal(authorized.reason, use);
    }
    // The account's own voice: whether it exists now (each chunk's admission asks again).
    if (isCustomVoiceId(voice) && !(await account.voice(voice))) throw voiceNotFound(voice);
    // Pinned now: every chunk of the socket is said with the same versions.
    const dictionaries = await loadDictionaries(c.env, caller.accountId, config.pronunciation_dictionaries ?? []);
    this.speaker = { c, pool, caller, model: model.info.id, voice, sessionId: this.caller.sessionId, config, sampleRate: rate.rate, bitrate: config.bitrate, dictionaries };
    this.send({
      type: 'ready',
      session_id: this.caller.sessionId,
      model: model.info.id,
      voice,
      response_format: config.response_format,
      sample_rate: rate.rate,
      ...(dictionaries.length > 0 ? { pronunciation_dictionaries: dictionaries.map(({ id, version }) => ({ id, version })) } : {}),
    });
  }

  private context(id: string): SpeechContext {
    let context = this.contexts.get(id);
    if (context) return context;
    if (this.contexts.size >= MAX_CONTEXTS) throw protocolError('too_many_contexts', `A socket has at most ${MAX_CONTEXTS} contexts open; close or cancel one first.`);
    context = new SpeechContext(id, {
      speaker: this.speaker!,
      send: (message) => this.send(message),
      sendAudio: (contextId, bytes, words) => this.sendAudio(contextId, bytes, words),
      ended: (contextId) => {
        this.contexts.delete(contextId);
        this.armIdle();
      },
    });
    this.contexts.set(id, context);
    return context;
  }

  private sendAudio(contextId: string, bytes: Uint8Array, timestamps: WordTimestamp[]): void {
    if (!this.speaker?.config.binary) return this.send({ type: 'audio', context_id: contextId, audio: base64(bytes), timestamps });
    this.send({ type: 'audio', context_id: contextId, bytes: bytes.byteLength, timestamps });
    if (!this.closed) this.socket.send(bytes);
  }

  send(message: ServerMessage): void {
    if (this.closed) return;
    this.socket.send(JSON.stringify(message));
  }

  private fail(error: ApiError, contextId?: string): void {
    this.send(errorMessage(error, contextId));
  }

  /** Idle: no message from the client and no context with text or audio in hand. */
  private armIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if ([...this.contexts.values()].some((context) => context.speaking)) return this.armIdle();
      this.fail(new ApiError(408, 'invalid_request_error', 'idle_timeout', `Nothing was said on this socket for ${this.idleMs} ms; it is closed.`));
      this.socket.close(CLOSE_IDLE, 'idle timeout');
      this.shutDown();
    }, this.idleMs);
  }

  /** The socket is gone: everything stops, and each chunk is charged what was sent of it. */
  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    for (const context of this.contexts.values()) context.dispose();
    this.contexts.clear();
  }
}
