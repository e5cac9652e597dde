import { ApiError } from '../../shared/errors.ts';
import type { WordTimestamp } from '../../shared/protocol/timed-audio.ts';
import type { ServerMessage } from '../../shared/schemas/realtime.ts';
import type { NotHonored } from '../pronunciation/not-honored.ts';
import { type ChunkAudio, type ChunkSpeaker, speakChunk } from './chunk-speech.ts';
import { TextChunker } from './chunker.ts';
import { errorMessage } from './error-message.ts';
import { unspokenText } from './unspoken-text.ts';

/** What a context needs from its socket. */
export interface ContextSocket {
  speaker: ChunkSpeaker;
  /** Sends audio with the words that start in it (times and offsets within the context). */
  sendAudio(contextId: string, bytes: Uint8Array, words: WordTimestamp[]): void;
  send(message: ServerMessage): void;
  /** The context said `done`: it may be forgotten. */
  ended(contextId: string): void;
}

/**
 * Chunks requested ahead of the one playing: the next is synthesized while this one plays, but
 * only once it plays, so that it does not compete with the current chunk's first audio.
 */
const READ_AHEAD = 1;
/** A chunk whose worker failed is spoken again (what was not heard of it) at most this often. */
const MAX_RETRIES = 2;
/**
 * A chunk refused by a rate limit (429) that would fit within this many seconds waits and is
 * tried again, its context going on; a longer wait, or any other refusal, ends the context.
 */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 30;
/** Text waiting to be spoken, per context; more is refused until it drains. */
export const MAX_PENDING_CHARACTERS = 20_000;

interface Chunk {
  text: string;
  /** Where the chunk starts in the context's text, code points. */
  charOffset: number;
  retries: number;
  abort: AbortController;
  audio?: Promise<ChunkAudio>;
  /** Its first audio went out. */
  playing?: boolean;
}

const codePoints = (text: string) => [...text].length;

/**
 * One context of a realtime socket: its text cut into chunks as it arrives, each chunk spoken
 * through the pool (the next one requested while the current one plays), and the audio sent in
 * order with word times on the context's own clock. `cancel` drops what is buffered and stops
 * the audio at once; a worker that fails mid-chunk has the chunk's unheard words spoken again
 * by another.
 */
export class SpeechContext {
  readonly id: string;
  private readonly socket: ContextSocket;
  private readonly chunker: TextChunker;
  private readonly queue: Chunk[] = [];
  private nextChunk = 0;
  private charsQueued = 0;
  private audioMs = 0;
  private characters = 0;
  private firstTextAt: number | null = null;
  private firstAudioAt: number | null = null;
  private delayTimer: ReturnType<typeof setTimeout> | null = null;
  private playing = false;
  private closing = false;
  private finished = false;
  /** Markup a chunk's model could not say as asked (a dictionary's phoneme rule on Qwen3-TTS), offsets in the context's text. */
  private readonly notHonored: NotHonored[] = [];

  constructor(id: string, socket: ContextSocket) {
    this.id = id;
    this.socket = socket;
    this.chunker = new TextChunker(socket.speaker.config.chunking);
  }

  /** True while it has text or audio in hand. */
  get speaking(): boolean {
    return this.queue.length > 0 || this.chunker.waitingSince !== null;
  }

  text(text: string): void {
    if (this.closing) {
      this.fail(new ApiError(400, 'invalid_request_error', 'context_closed', `Context "${this.id}" was closed; use a new context_id.`), false);
      return;
    }
    if (this.charsQueued + codePoints(text) > MAX_PENDING_CHARACTERS) {
      const message = `Context "${this.id}" has ${MAX_PENDING_CHARACTERS} characters waiting to be spoken; send more once its audio catches up.`;
      this.fail(new ApiError(429, 'rate_limit_error', 'text_buffer_full', message), false);
      return;
    }
    this.firstTextAt ??= Date.now();
    for (const piece of this.chunker.push(text, Date.now())) this.enqueue(piece);
    this.armDelay();
    this.pump();
  }

  flush(): void {
    this.enqueue(this.chunker.flush());
    this.pump();
  }

  /** No more text: speak what is buffered, then `done`. */
  close(): void {
    this.closing = true;
    this.flush();
    this.finishIfIdle();
  }

  /** Barge-in: nothing more is synthesized or sent for what the context has. */
  cancel(): void {
    this.stopAll();
    this.finish('cancelled');
  }

  /** The socket went away: stop without a word. */
  dispose(): void {
    this.finished = true;
    this.stopAll();
  }

  private stopAll(): void {
    clearTimeout(this.delayTimer);
    this.chunker.clear();
    for (const chunk of this.queue.splice(0)) chunk.abort.abort(new Error('cancelled'));
    this.charsQueued = 0;
  }

  private enqueue(text: string): void {
    // Whitespace alone is not spoken, but it is the context's text: the offsets after it count it.
    if (text.trim().length === 0) {
      this.characters += codePoints(text);
      return;
    }
    const charOffset = this.characters;
    this.characters += codePoints(text);
    this.charsQueued += codePoints(text);
    this.queue.push({ text, charOffset, retries: 0, abort: new AbortController() });
  }

  /** Text without a boundary is spoken once it has waited `max_delay_ms`. */
  private armDelay(): void {
    clearTimeout(this.delayTimer);
    const since = this.chunker.waitingSince;
    if (since === null) return;
    const wait = Math.max(0, since + this.socket.speaker.config.chunking.max_delay_ms - Date.now());
    this.delayTimer = setTimeout(() => {
      this.enqueue(this.chunker.takeOverdue(Date.now()));
      this.armDelay(); // for the word it kept
      this.pump();
    }, wait);
  }

  /** Starts the chunks that may start, and plays the first if nothing plays. */
  private pump(): void {
    for (const [i, chunk] of this.queue.slice(0, 1 + READ_AHEAD).entries()) {
      if (i > 0 && !this.queue[i - 1]!.playing) break;
      chunk.audio ??= this.start(chunk);
    }
    if (!this.playing && this.queue.length > 0) void this.play();
  }

  private start(chunk: Chunk): Promise<ChunkAudio> {
    const audio = speakChunk(this.socket.speaker, chunk.text, `${this.socket.speaker.sessionId}.${this.id}.${this.nextChunk++}`, chunk.abort.signal);
    audio.catch(() => {}); // handled when it plays
    return audio;
  }

  /** Sends the chunks' audio in order, one after the other. */
  private async play(): Promise<void> {
    this.playing = true;
    try {
      while (this.queue.length > 0 && !this.finished) {
        const chunk = this.queue[0]!;
        const ok = await this.playChunk(chunk);
        if (this.queue[0] !== chunk) continue; // cancelled meanwhile
        this.queue.shift();
        this.charsQueued -= codePoints(chunk.text);
        if (!ok) return;
        this.pump();
      }
    } finally {
      this.playing = false;
    }
    this.finishIfIdle();
  }

  /** One chunk's audio to the socket; false when the context failed with it. */
  private async playChunk(chunk: Chunk): Promise<boolean> {
    let audio: ChunkAudio | undefined;
    const heard: WordTimestamp[] = [];
    try {
      audio = await chunk.audio!;
      for (const stretch of audio.notHonored) this.notHonored.push({ ...stretch, char_start: stretch.char_start + chunk.charOffset, char_end: stretch.char_end + chunk.charOffset });
      for await (const piece of audio.pieces) {
        if (chunk.abort.signal.aborted) return true;
        const words = piece.words.map((word) => this.onContextClock(word, chunk));
        heard.push(...piece.words);
        this.firstAudioAt ??= Date.now();
        this.socket.sendAudio(this.id, piece.bytes, words);
        if (!chunk.playing) {
          chunk.playing = true;
          this.pump(); // the next chunk may start now
        }
      }
      this.audioMs += audio.end()?.audio_ms ?? audio.deliveredMs();
      return true;
    } catch (error) {
      if (chunk.abort.signal.aborted) return true;
      // A refusal (limits, no worker, the worker's 4xx) ends the context, unless a short wait
      // would let it through; a broken stream is retried.
      if (error instanceof ApiError) {
        if (await this.waitOutRateLimit(chunk, error)) return this.playChunk(chunk);
        return chunk.abort.signal.aborted || this.fail(error, true);
      }
      return this.retry(chunk, heard, audio?.deliveredMs() ?? 0, error);
    }
  }

  /** A 429 that fits soon: says so, waits (a cancel cuts it short) and asks again. False: it does not. */
  private async waitOutRateLimit(chunk: Chunk, error: ApiError): Promise<boolean> {
    const seconds = Number(error.headers?.['retry-after']);
    if (error.status !== 429 || !(seconds <= MAX_RATE_LIMIT_WAIT_SECONDS)) return false;
    this.socket.send(errorMessage(error, this.id, true));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      chunk.abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (chunk.abort.signal.aborted) return false;
    chunk.audio = this.start(chunk);
    return true;
  }

  /** A worker failed mid-chunk: what was not heard is spoken again, elsewhere. */
  private retry(chunk: Chunk, heard: WordTimestamp[], heardMs: number, error: unknown): boolean {
    this.audioMs += heardMs;
    const rest = unspokenText(chunk.text, heard, heardMs);
    if (rest.text.trim().length === 0) return true;
    if (chunk.retries >= MAX_RETRIES) {
      return this.fail(new ApiError(502, 'service_unavailable', 'worker_failed', `The speech worker failed mid-chunk, ${MAX_RETRIES + 1} times: ${String(error)}`), true);
    }
    this.queue.splice(1, 0, { text: rest.text, charOffset: chunk.charOffset + rest.skipped, retries: chunk.retries + 1, abort: new AbortController() });
    this.charsQueued += codePoints(rest.text);
    return true;
  }

  private onContextClock(word: WordTimestamp, chunk: Chunk): WordTimestamp {
    return {
      ...word,
      char_start: word.char_start + chunk.charOffset,
      char_end: word.char_end + chunk.charOffset,
      start_ms: word.start_ms + this.audioMs,
      end_ms: word.end_ms + this.audioMs,
    };
  }

  /** A per-context error: the socket stays; with `end`, the context ends too. */
  private fail(error: ApiError, end: boolean): boolean {
    this.socket.send(errorMessage(error, this.id));
    if (end) {
      this.stopAll();
      this.finish('failed');
    }
    return false;
  }

  private finishIfIdle(): void {
    if (this.closing && !this.playing && this.queue.length === 0) this.finish('closed');
  }

  private finish(reason: 'closed' | 'cancelled' | 'failed'): void {
    if (this.finished) return;
    this.finished = true;
    this.socket.send({
      type: 'done',
      context_id: this.id,
      reason,
      usage: { characters: this.characters, audio_ms: Math.round(this.audioMs) },
      ...(this.notHonored.length > 0 ? { not_honored: this.notHonored } : {}),
      timings: { first_audio_ms: this.firstTextAt !== null && this.firstAudioAt !== null ? this.firstAudioAt - this.firstTextAt : null },
    });
    this.socket.ended(this.id);
  }
}
