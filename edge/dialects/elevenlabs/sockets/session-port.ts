import type { z } from 'zod';
import type { ClientMessageSchema } from '../../../../shared/schemas/realtime.ts';
import type { SessionSocket } from '../../../realtime/session.ts';

/** A client message of our protocol, as the session parses it. */
export type OurMessage = z.input<typeof ClientMessageSchema>;

/**
 * The session's socket: what the session sends goes to the bridge, and the bridge hands it the
 * client's messages in our protocol, as JSON text, as a WebSocket would.
 */
export class SessionPort implements SessionSocket {
  private readonly messageListeners: Array<(event: { data: string | ArrayBuffer }) => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private readonly onSend: (data: string | Uint8Array) => void;
  private readonly onClose: () => void;

  constructor(onSend: (data: string | Uint8Array) => void, onClose: () => void) {
    this.onSend = onSend;
    this.onClose = onClose;
  }

  accept(): void {}

  addEventListener(type: 'message', listener: (event: { data: string | ArrayBuffer }) => void): void;
  addEventListener(type: 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message' | 'close' | 'error', listener: ((event: { data: string | ArrayBuffer }) => void) | (() => void)): void {
    if (type === 'message') this.messageListeners.push(listener);
    else if (type === 'close') this.closeListeners.push(listener as () => void);
  }

  send(data: string | Uint8Array): void {
    this.onSend(data);
  }

  /** The session closes (idle): the bridge closes the client's socket. */
  close(): void {
    this.onClose();
  }

  /** A client message, in our protocol. */
  deliver(message: OurMessage): void {
    for (const listener of this.messageListeners) listener({ data: JSON.stringify(message) });
  }

  /** The client's socket is gone: the session stops. */
  disconnect(): void {
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
