import type { Context } from 'hono';
import { deliveredAudioMs } from '../../../accounts/settlement.ts';
import { ApiError } from '../../../../shared/errors.ts';
import { DEFAULT_CONTEXT_ID, type ServerMessage } from '../../../../shared/schemas/realtime.ts';
import type { AppEnv } from '../../../env.ts';
import { base64 } from '../../../http/base64.ts';
import { presentedSecret } from '../../../middleware/api-key-auth.ts';
import type { Caller } from '../../../middleware/caller-auth.ts';
import { RealtimeSession } from '../../../realtime/session.ts';
import { SessionPort } from './session-port.ts';
import { admitSocketCaller } from '../../../realtime/socket-caller.ts';
import { CharacterAligner } from '../speech/alignment.ts';
import { dictionaryLocators } from '../speech/dictionary-locators.ts';
import { modelFor } from '../speech/speech-endpoint.ts';
import { type ConfigMessage, chunkingFor, parseMessage, readOptions, type SocketOptions } from './socket-options.ts';
import {
  CLOSE_NORMAL,
  CLOSE_POLICY,
  closeCodeFor,
  contextFields,
  type ElevenLabsClientMessage,
  messageSecret,
  socketAlignment,
  socketError,
} from './socket-messages.ts';

/** Which of ElevenLabs' two speech sockets. */
export type SocketKind = 'stream-input' | 'multi-stream-input';

/** Our `text` message takes at most this many characters; longer text from a client goes in pieces. */
const MAX_TEXT_MESSAGE = 4096;
/** Context errors after which the context carries on (every other one ends it). */
const CONTEXT_GOES_ON = new Set(['context_closed', 'text_buffer_full', 'unknown_context']);
/** Errors that end a socket of either kind, as ElevenLabs closes on them. */
const SOCKET_ENDING = new Set(['idle_timeout', 'too_many_contexts']);

/** Whether the upgrade itself names who is calling (else the first message must). */
function upgradeSecret(c: Context<AppEnv>): boolean {
  // ElevenLabs' own query names: `authorization` (a bearer) and `single_use_token` (our client tokens).
  const fromQuery = c.req.query('authorization')?.trim().replace(/^Bearer\s+/i, '') || c.req.query('single_use_token');
  if (presentedSecret(c) === undefined && fromQuery) c.set('presentedSecret', fromQuery);
  return presentedSecret(c) !== undefined || c.req.query('token') !== undefined || c.req.query('ticket') !== undefined;
}

/** One context as the client sees it: open until its `isFinal`. */
interface ContextState {
  closing: boolean;
  aligner: CharacterAligner;
  /** Audio bytes sent so far: where the next message's audio starts. */
  bytes: number;
}

/** `GET /elevenlabs/v1/text-to-speech/{voice_id}/(multi-)stream-input`: accepts the upgrade and bridges the socket. */
export async function openElevenLabsSocket(c: Context<AppEnv>, kind: SocketKind): Promise<Response> {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, 'invalid_request_error', 'upgrade_required', 'Connect with a WebSocket (Upgrade: websocket).', { headers: { upgrade: 'websocket' } });
  }
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  await new ElevenLabsSocketBridge(server, c, kind).open();
  return new Response(null, { status: 101, webSocket: client });
}

/**
 * ElevenLabs' text-to-speech sockets over our realtime session (edge/realtime/session.ts): this
 * bridge stands between the client and one RealtimeSession, turning ElevenLabs' messages into
 * ours (`config`, `text`, `flush`, `close`) and ours (`audio`, `done`, `error`) into ElevenLabs'
 * (`audio` with character `alignment`, `isFinal`, errors), so both sockets have our chunking,
 * read-ahead, failover, limits and per-chunk admission and billing, from the one implementation.
 *
 * - `stream-input`: one stream (our `default` context); `{ text: "" }` ends it: the rest is
 *   spoken, `{ isFinal: true }` follows and the socket closes.
 * - `multi-stream-input`: a context per `context_id`; `close_context` ends one (its `isFinal`
 *   follows its last audio), `close_socket` ends all, then the socket closes.
 *
 * The key may come with the upgrade (`xi-api-key`, `Authorization`, `?authorization=`,
 * `?single_use_token=`, `?token=`) or in the first message (`xi_api_key`, `authorization`);
 * ElevenLabs accepts the upgrade either way and answers a refusal as an error message, then a
 * close, and so does this.
 */
class ElevenLabsSocketBridge {
  private readonly socket: WebSocket;
  private readonly c: Context<AppEnv>;
  private readonly kind: SocketKind;
  /** The session's end of the bridge: what it sends comes to `fromSession`. */
  private readonly port = new SessionPort(
    (data) => this.fromSession(data),
    () => this.end(CLOSE_POLICY, 'inactivity timeout'),
  );
  private options: SocketOptions | undefined;
  private caller: Caller | undefined;
  private session: RealtimeSession | undefined;
  /** Client messages are handled one after another (the first one may wait for the key's check). */
  private inbox: Promise<void> = Promise.resolve();
  private readonly contexts = new Map<string, ContextState>();
  /** Our `audio` header, whose bytes come next. */
  private pendingAudio: Extract<ServerMessage, { type: 'audio' }> | null = null;
  private configured = false;
  private closingSocket = false;
  private ended = false;
  private firstMessageTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(socket: WebSocket, c: Context<AppEnv>, kind: SocketKind) {
    this.socket = socket;
    this.c = c;
    this.kind = kind;
  }

  /** Accepts the socket and checks the URL and any key it came with; a refusal is an error message, then a close. */
  async open(): Promise<void> {
    this.socket.accept();
    this.socket.addEventListener('message', (event) => {
      this.inbox = this.inbox.then(() => this.receive(event.data));
    });
    this.socket.addEventListener('close', () => this.clientGone());
    this.socket.addEventListener('error', () => this.clientGone());
    try {
      this.options = readOptions(this.c);
      if (upgradeSecret(this.c)) this.caller = await admitSocketCaller(this.c);
    } catch (error) {
      return this.fail(error);
    }
    // Nothing said: closed as an idle session would be.
    this.firstMessageTimer = setTimeout(() => {
      if (!this.session) this.fail(idleTimeout(this.options!.idleMs));
    }, this.options.idleMs);
  }

  private async receive(data: string | ArrayBuffer): Promise<void> {
    if (this.ended) return;
    try {
      const message = parseMessage(data);
      if (!this.session) await this.begin(message);
      if (this.ended) return;
      if (this.kind === 'stream-input') this.streamInput(message);
      else this.multiStreamInput(message);
    } catch (error) {
      this.fail(error);
    }
  }

  /** The first message: the key if the upgrade had none, then the session and its config, from the URL and this message. */
  private async begin(first: ElevenLabsClientMessage): Promise<void> {
    clearTimeout(this.firstMessageTimer);
    const { c } = this;
    const options = this.options!;
    if (!this.caller) {
      const secret = messageSecret(first);
      if (!secret) throw new ApiError(401, 'authentication_error', 'missing_api_key', 'Send your API key as the xi-api-key header, or as xi_api_key in the first message.');
      c.set('presentedSecret', secret);
      this.caller = await admitSocketCaller(c);
    }
    const config: ConfigMessage = {
      type: 'config',
      // ElevenLabs' model_id as the HTTP speech routes map it (ELEVENLABS_MODELS, preferring a model that speaks the voice).
      model: await modelFor(c, options.modelId, options.voiceId),
      voice: options.voiceId,
      language: options.language,
      response_format: options.output.response_format as ConfigMessage['response_format'],
      sample_rate: options.output.sample_rate,
      bitrate: options.output.bitrate,
      speed: first.voice_settings?.speed ?? undefined,
      chunking: chunkingFor(first, options.autoMode),
      // Audio comes to the bridge as bytes, base64'd once for the client.
      binary: true,
      pronunciation_dictionaries: dictionaryLocators(first.pronunciation_dictionary_locators, 'pronunciation_dictionary_locators'),
    };
    this.session = new RealtimeSession(this.port, { c, caller: this.caller, sessionId: c.get('requestId'), idleMs: options.idleMs });
    this.session.start();
    this.port.deliver(config);
  }

  /** stream-input: one stream, opened by the first message, ended by `text: ""`. */
  private streamInput(message: ElevenLabsClientMessage): void {
    const id = DEFAULT_CONTEXT_ID;
    if (!this.contexts.has(id)) this.openContext(id, message.text ?? '');
    else if (message.text === '') return this.closeContext(id);
    else if (message.text) this.text(id, message.text);
    if (message.flush) this.port.deliver({ type: 'flush', context_id: id });
  }

  /** multi-stream-input: contexts by id, each opened by its first message. */
  private multiStreamInput(message: ElevenLabsClientMessage): void {
    if (message.close_socket) return this.closeSocket();
    const id = message.context_id ?? message.contextId ?? DEFAULT_CONTEXT_ID;
    if (message.close_context) return this.closeContext(id);
    const context = this.contexts.get(id);
    if (message.text === '' && !message.flush) return this.keepAlive(id, context);
    if (!context) this.openContext(id, message.text ?? '');
    else if (message.text !== undefined && message.text !== null) this.text(id, message.text);
    if (message.flush) this.port.deliver({ type: 'flush', context_id: id });
  }

  /**
   * `text: ""` keeps a context, or the socket, alive (clients send it between turns): it resets
   * the session's idle clock, adds nothing and opens nothing. To a context that is not open it
   * goes as a `cancel`, which the session ignores for a context it does not have.
   */
  private keepAlive(id: string, context: ContextState | undefined): void {
    if (context?.closing) return;
    this.port.deliver(context ? { type: 'text', text: '', context_id: id } : { type: 'cancel', context_id: id });
  }

  /** A context begins with its first message's text; the `" "` that opens one is not text to speak. */
  private openContext(id: string, text: string): void {
    this.contexts.set(id, { closing: false, aligner: new CharacterAligner(''), bytes: 0 });
    this.text(id, text.trim() === '' ? '' : text);
  }

  private text(id: string, text: string): void {
    const context = this.contexts.get(id)!;
    // After close_context the session refuses more text (context_closed): it is no part of the context's text.
    if (!context.closing) context.aligner.append(text);
    const points = [...text];
    if (points.length === 0) return this.port.deliver({ type: 'text', text: '', context_id: id });
    for (let i = 0; i < points.length; i += MAX_TEXT_MESSAGE) this.port.deliver({ type: 'text', text: points.slice(i, i + MAX_TEXT_MESSAGE).join(''), context_id: id });
  }

  /** No more text: the rest is spoken, then `isFinal`. An unknown context is final at once. */
  private closeContext(id: string): void {
    const context = this.contexts.get(id);
    if (!context) return this.sendFinal(id);
    if (context.closing) return;
    context.closing = true;
    this.port.deliver({ type: 'close', context_id: id });
  }

  /** Every context ends as with close_context; once each has said `isFinal`, the socket closes. */
  private closeSocket(): void {
    this.closingSocket = true;
    for (const id of this.contexts.keys()) this.closeContext(id);
    if (this.contexts.size === 0) this.end(CLOSE_NORMAL);
  }

  /** What the session says, in ElevenLabs' words. */
  private fromSession(data: string | Uint8Array): void {
    if (this.ended) return;
    if (typeof data !== 'string') {
      const header = this.pendingAudio;
      this.pendingAudio = null;
      if (header) this.sendAudio(header, data);
      return;
    }
    const message = JSON.parse(data) as ServerMessage;
    if (message.type === 'ready') this.configured = true;
    else if (message.type === 'audio') this.pendingAudio = message;
    else if (message.type === 'error') this.sessionError(message);
    else this.contextDone(message);
  }

  private sendAudio(header: Extract<ServerMessage, { type: 'audio' }>, bytes: Uint8Array): void {
    const context = this.contexts.get(header.context_id);
    if (!context) return;
    const startMs = this.audioMs(context.bytes);
    context.bytes += bytes.byteLength;
    const alignment = socketAlignment(context.aligner.take(header.timestamps), startMs);
    // No normalisation of the text happens: the normalised alignment is the alignment.
    this.send({ audio: base64(bytes), isFinal: false, normalizedAlignment: alignment, alignment, ...this.about(header.context_id) });
  }

  private contextDone(done: Extract<ServerMessage, { type: 'done' }>): void {
    const context = this.contexts.get(done.context_id);
    this.contexts.delete(done.context_id);
    if (context && done.reason === 'closed') {
      // The characters after the last word (its full stop, the final space) were heard in the audio already sent.
      const tail = socketAlignment(context.aligner.finish(done.usage.audio_ms), this.audioMs(context.bytes));
      if (tail) this.send({ audio: '', isFinal: false, normalizedAlignment: tail, alignment: tail, ...this.about(done.context_id) });
    }
    if (this.kind === 'stream-input') {
      this.send({ isFinal: true });
      return this.end(CLOSE_NORMAL);
    }
    this.sendFinal(done.context_id);
    if (this.closingSocket && this.contexts.size === 0) this.end(CLOSE_NORMAL);
  }

  private sessionError(error: Extract<ServerMessage, { type: 'error' }>): void {
    // A chunk waiting out a short rate limit goes on by itself, nothing lost: ElevenLabs has no word for it.
    if (error.retrying) return;
    // A refused config (an unknown model or voice, a language the model lacks): nothing can be spoken.
    if (!this.configured || SOCKET_ENDING.has(error.code)) return this.fail(error);
    const endsContext = error.context_id !== undefined && !CONTEXT_GOES_ON.has(error.code);
    // stream-input has one stream: when it ends in an error, so does the socket (as at ElevenLabs).
    if (endsContext && this.kind === 'stream-input') return this.fail(error);
    // multi-stream-input: the error; a context it ended says isFinal when its done comes.
    this.send(socketError(error, error.context_id === undefined || this.kind === 'stream-input' ? {} : { contextId: error.context_id }));
  }

  /** An error that ends the socket: said, then the close. */
  private fail(error: unknown): void {
    const refusal = error instanceof ApiError || isErrorMessage(error) ? error : new ApiError(500, 'internal_error', 'internal_error', String(error));
    const close = closeCodeFor(refusal.code);
    this.send(socketError(refusal, { close }));
    this.end(close, refusal.code);
  }

  private sendFinal(id: string): void {
    this.send({ isFinal: true, ...this.about(id) });
  }

  /** multi-stream-input's messages say which context they are about; stream-input's have one. */
  private about(id: string) {
    return this.kind === 'multi-stream-input' ? contextFields(id) : {};
  }

  private audioMs(bytes: number): number {
    const { output } = this.options!;
    return deliveredAudioMs(bytes, output.response_format, output.sample_rate, output.bitrate);
  }

  private send(message: object): void {
    if (this.ended) return;
    try {
      this.socket.send(JSON.stringify(message));
    } catch {
      this.clientGone();
    }
  }

  /** The bridge closes the socket: the session stops, each chunk charged what was sent of it. */
  private end(code: number, reason = ''): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.firstMessageTimer);
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      // already closed by the client
    }
    this.port.disconnect();
  }

  private clientGone(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.firstMessageTimer);
    this.port.disconnect();
  }
}

const isErrorMessage = (value: unknown): value is Extract<ServerMessage, { type: 'error' }> =>
  typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'error';

const idleTimeout = (ms: number) =>
  new ApiError(408, 'invalid_request_error', 'idle_timeout', `Nothing was said on this socket for ${ms / 1000} s (inactivity_timeout); it is closed.`);
