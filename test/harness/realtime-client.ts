import { request as httpRequest } from 'node:http';
import { WebSocket } from 'undici';
import type { ClientMessage, ServerMessage } from '../../shared/schemas/realtime.ts';

/** A server message as received, with when (performance.now()) and, for binary audio, its bytes. */
export type Received = ServerMessage & { at: number; data?: Uint8Array };

/**
 * A real WebSocket client on the realtime route (undici's, which can send headers as a server-side
 * client does). It records every message with its arrival time; tests wait on what they expect.
 */
export class RealtimeClient {
  readonly received: Received[] = [];
  private readonly socket: WebSocket;
  private waiters: Array<() => void> = [];
  private pendingBinary: Received | null = null;
  closed: { code: number; reason: string } | null = null;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') {
        const message = { ...(JSON.parse(event.data) as ServerMessage), at: performance.now() } as Received;
        if (message.type === 'audio' && message.bytes !== undefined) this.pendingBinary = message;
        else this.received.push(message);
      } else if (this.pendingBinary) {
        this.received.push({ ...this.pendingBinary, data: new Uint8Array(event.data as ArrayBuffer) });
        this.pendingBinary = null;
      }
      this.wake();
    });
    socket.addEventListener('close', (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  /** `key` goes in the Authorization header (a key or a client token); `ticket` and `token` in the URL, as a browser sends them. */
  static open(url: string, auth: { key?: string; ticket?: string; token?: string } = {}): Promise<RealtimeClient> {
    const target = new URL('/v1/audio/speech/stream', url.replace(/^http/, 'ws'));
    if (auth.ticket) target.searchParams.set('ticket', auth.ticket);
    if (auth.token) target.searchParams.set('token', auth.token);
    const socket = new WebSocket(target, auth.key ? { headers: { authorization: `Bearer ${auth.key}` } } : undefined);
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(new RealtimeClient(socket)), { once: true });
      socket.addEventListener('error', (event) => reject(new Error(`socket failed: ${String((event as { message?: string }).message ?? 'error')}`)), { once: true });
    });
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  /** Resolves with the first received message (from `from` on) that matches, or rejects after `timeoutMs`. */
  async waitFor<T extends Received>(match: (message: Received) => message is T, timeoutMs?: number, from?: number): Promise<T>;
  async waitFor(match: (message: Received) => boolean, timeoutMs?: number, from?: number): Promise<Received>;
  async waitFor(match: (message: Received) => boolean, timeoutMs = 30_000, from = 0): Promise<Received> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting; got ${JSON.stringify(this.received.map((m) => m.type))}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting; got ${JSON.stringify(this.received.map((m) => ({ ...m, audio: undefined, data: undefined })))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The audio of a context, in order, as bytes. */
  audioOf(contextId: string): Uint8Array {
    const parts = this.received.filter((m) => m.type === 'audio' && m.context_id === contextId).map((m) => (m.data ?? Buffer.from((m as { audio?: string }).audio ?? '', 'base64')) as Uint8Array);
    return Buffer.concat(parts);
  }

  close(): void {
    this.socket.close(1000);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export const isType =
  <K extends ServerMessage['type']>(type: K, contextId?: string) =>
  (message: Received): message is Extract<Received, { type: K }> =>
    message.type === type && (contextId === undefined || (message as { context_id?: string }).context_id === contextId);

/**
 * A WebSocket handshake by hand (fetch will not send `Upgrade`): the status and JSON body of a
 * refused upgrade, or 101 when it was accepted.
 */
export function upgradeAttempt(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { error?: { code: string } } | null }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, baseUrl), {
      headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, body: null });
    });
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as { error?: { code: string } }) : null }));
    });
    request.on('error', reject);
    request.end();
  });
}
