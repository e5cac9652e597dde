import { addColumnIfMissing } from './add-column.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS socket_tickets (ticket_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, expires_ms INTEGER NOT NULL, allowed_origins TEXT);
`;

/** Who a ticket stands for: its key, and the web origins that key may be used from (null: any). */
export interface TicketHolder {
  keyId: string;
  allowedOrigins: string[] | null;
}

/**
 * Single-use tickets onto a realtime socket, in the account's Durable Object: browsers cannot
 * set an Authorization header on a WebSocket, and an API key in a URL ends up in logs. A ticket
 * stands for the key that asked for it, for one connection, for a short while. Only its hash is
 * kept; taking it deletes it, so two connections cannot share one.
 */
export class SocketTickets {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
    // Objects made before tickets carried the key's origins.
    addColumnIfMissing(this.sql, 'socket_tickets', 'allowed_origins', 'TEXT');
  }

  issue(ticketHash: string, { keyId, allowedOrigins }: TicketHolder, now: number, ttlMs: number): void {
    this.sql.exec('DELETE FROM socket_tickets WHERE expires_ms <= ?', now);
    this.sql.exec(
      'INSERT INTO socket_tickets (ticket_hash, key_id, expires_ms, allowed_origins) VALUES (?, ?, ?, ?)',
      ticketHash,
      keyId,
      now + ttlMs,
      allowedOrigins ? JSON.stringify(allowedOrigins) : null,
    );
  }

  redeem(ticketHash: string, now: number): TicketHolder | null {
    const row = this.sql
      .exec<{ key_id: string; expires_ms: number; allowed_origins: string | null }>('SELECT key_id, expires_ms, allowed_origins FROM socket_tickets WHERE ticket_hash = ?', ticketHash)
      .toArray()[0];
    if (!row) return null;
    this.sql.exec('DELETE FROM socket_tickets WHERE ticket_hash = ?', ticketHash);
    if (row.expires_ms <= now) return null;
    return { keyId: row.key_id, allowedOrigins: row.allowed_origins === null ? null : (JSON.parse(row.allowed_origins) as string[]) };
  }
}
