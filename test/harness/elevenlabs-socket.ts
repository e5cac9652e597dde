import { WebSocket } from 'undici';

/** A message of ElevenLabs' speech sockets as received, with when (performance.now()). */
export interface ElevenLabsReceived {
  at: number;
  audio?: string | null;
  isFinal?: boolean | null;
  alignment?: { chars: string[]; charStartTimesMs: number[]; charDurationsMs: number[]; charsDurationsMs?: number[] } | null;
  normalizedAlignment?: ElevenLabsReceived['alignment'];
  contextId?: string;
  context_id?: string;
  message?: string;
  error?: string;
  code?: number;
  param?: string;
}

/**
 * A raw WebSocket client speaking ElevenLabs' documented socket messages (undici's WebSocket, as
 * a server-side client would use, which can send `xi-api-key`). It records every message with its
 * arrival time and the close; tests wait on what they expect.
 */
export class ElevenLabsSocketClient {
  readonly received: ElevenLabsReceived[] = [];
  closed: { code: number; reason: string; at: number } | null = null;
  private readonly socket: WebSocket;
  private waiters: Array<() => void> = [];

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      this.received.push({ ...(JSON.parse(String(event.data)) as object), at: performance.now() });
      this.wake();
    });
    socket.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason, at: performance.now() };
      this.wake();
    });
  }

  /**
   * Opens `/elevenlabs/v1/text-to-speech/{voice}/{kind}` with `query`; `key` goes in `xi-api-key`
   * (ElevenLabs' header) unless null.
   */
  static open(
    baseUrl: string,
    { kind = 'stream-input', voice = 'en-female', key, query = {} }: { kind?: 'stream-input' | 'multi-stream-input'; voice?: string; key?: string | null; query?: Record<string, string> },
  ): Promise<ElevenLabsSocketClient> {
    const url = new URL(`/elevenlabs/v1/text-to-speech/${voice}/${kind}`, baseUrl.replace(/^http/, 'ws'));
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const socket = new WebSocket(url, key ? { headers: { 'xi-api-key': key } } : undefined);
    return new Promise((resolve, reject) => {
      // Resolved before the first message can arrive: the listeners are set in the constructor.
      socket.addEventListener('open', () => resolve(new ElevenLabsSocketClient(socket)), { once: true });
      socket.addEventListener('error', (event) => reject(new Error(`socket failed: ${String((event as { message?: string }).message ?? 'error')}`)), { once: true });
    });
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first received message (from index `from` on) that matches, or rejects after `timeoutMs`. */
  async waitFor(match: (message: ElevenLabsReceived) => boolean, timeoutMs = 30_000, from = 0): Promise<ElevenLabsReceived> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting; got ${this.summary()}`);
      if (performance.now() >= deadline) throw new Error(`timed out waiting; got ${this.summary()}`);
      await this.next(deadline);
    }
  }

  /** Resolves with the close once the server has closed the socket. */
  async waitForClose(timeoutMs = 30_000): Promise<{ code: number; reason: string; at: number }> {
    const deadline = performance.now() + timeoutMs;
    while (!this.closed) {
      if (performance.now() >= deadline) throw new Error(`not closed; got ${this.summary()}`);
      await this.next(deadline);
    }
    return this.closed;
  }

  /** The audio messages (of a context, on multi-stream-input), in order. */
  audioMessages(contextId?: string): ElevenLabsReceived[] {
    return this.received.filter((m) => typeof m.audio === 'string' && (contextId === undefined || m.contextId === contextId));
  }

  /** The audio (of a context), concatenated in order. */
  audio(contextId?: string): Uint8Array {
    return Buffer.concat(this.audioMessages(contextId).map((m) => Buffer.from(m.audio!, 'base64')));
  }

  /** The characters of every alignment (of a context), joined. */
  alignedText(contextId?: string, which: 'alignment' | 'normalizedAlignment' = 'alignment'): string {
    return this.audioMessages(contextId)
      .flatMap((m) => m[which]?.chars ?? [])
      .join('');
  }

  close(): void {
    this.socket.close(1000);
  }

  private summary(): string {
    return JSON.stringify(this.received.map(({ audio, alignment, normalizedAlignment, ...rest }) => ({ ...rest, audio: audio === undefined ? undefined : `${audio?.length ?? 0} chars`, chars: alignment?.chars.join('') })));
  }

  private next(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export const isFinal = (contextId?: string) => (m: ElevenLabsReceived) => m.isFinal === true && (contextId === undefined || m.contextId === contextId);
export const isAudio = (contextId?: string) => (m: ElevenLabsReceived) => typeof m.audio === 'string' && m.audio.length > 0 && (contextId === undefined || m.contextId === contextId);
export const isError = (m: ElevenLabsReceived) => typeof m.error === 'string';

/** Text as an LLM writes it: a word (with its leading space) at a time. */
export const tokens = (text: string) => text.match(/\s*\S+\s*/g) ?? [];
