import type { ClientMessage, RealtimeConfig, ServerMessage } from '../../shared/schemas/realtime.ts';
import { apiJson } from './api.ts';
import { browserAppMode, clientToken, forgetToken, noteSocketOpened } from './client-token.ts';

/** What a realtime socket tells the page, message by message. */
export type ServerMessageHandler = (message: ServerMessage) => void;

export interface RealtimeSocket {
  send(message: ClientMessage): void;
  close(): void;
}

/**
 * Opens `/v1/audio/speech/stream` the way a browser must: the key stays in this page's
 * Authorization header for a single-use ticket, and only the ticket goes in the socket's URL. In
 * browser-app mode the page has no key to send: the client token goes in the URL (`?token=`).
 * Text may be sent at once: the server handles messages in order, the config first.
 */
export async function openRealtimeSocket(config: Omit<RealtimeConfig, 'chunking' | 'binary' | 'speed' | 'response_format'> & Partial<RealtimeConfig>, onMessage: ServerMessageHandler, onClose: (reason: string) => void): Promise<RealtimeSocket> {
  const withToken = browserAppMode();
  const query = withToken
    ? `token=${encodeURIComponent(await clientToken(0))}`
    : `ticket=${encodeURIComponent((await apiJson<{ ticket: string }>('/v1/audio/speech/stream/tickets', { method: 'POST' })).ticket)}`;
  const url = new URL(`/v1/audio/speech/stream?${query}`, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('The realtime socket could not be opened.')), { once: true });
  }).catch((error: unknown) => {
    // A page cannot read why an upgrade was refused: a token revoked or spent elsewhere is replaced at the next try.
    if (withToken) forgetToken();
    throw error;
  });
  if (withToken) noteSocketOpened();
  socket.addEventListener('message', (event) => onMessage(JSON.parse(String(event.data)) as ServerMessage));
  socket.addEventListener('close', (event) => onClose(event.reason || `closed (${event.code})`));
  const send = (message: ClientMessage | Partial<RealtimeConfig>) => socket.send(JSON.stringify(message));
  send(config);
  return { send, close: () => socket.close(1000) };
}
