const SCHEMA = `
CREATE TABLE IF NOT EXISTS socket_tickets (ticket_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, expires_ms INTEGER NOT NULL);
`;

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
  }

  issue(ticketHash: string, keyId: string, now: number, ttlMs: number): void {
    this.sql.exec('DELETE FROM socket_tickets WHERE expires_ms <= ?', now);
    this.sql.exec('INSERT INTO socket_tickets (ticket_hash, key_id, expires_ms) VALUES (?, ?, ?)', ticketHash, keyId, now + ttlMs);
  }

  redeem(ticketHash: string, now: number): string | null {
    const row = this.sql.exec<{ key_id: string; expires_ms: number }>('SELECT key_id, expires_ms FROM socket_tickets WHERE ticket_hash = ?', ticketHash).toArray()[0];
    if (!row) return null;
    this.sql.exec('DELETE FROM socket_tickets WHERE ticket_hash = ?', ticketHash);
    return row.expires_ms > now ? row.key_id : null;
  }
}
