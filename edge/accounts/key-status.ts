import type { KeyStatus, RefusalReason } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS keys (key_id TEXT PRIMARY KEY, expires_ms INTEGER, revoked_ms INTEGER);
`;

/**
 * The status of the account's API keys. This, not KV (eventually consistent, cached per
 * isolate), is the truth about whether a key may be used, so a revoked key is refused from the
 * next request on, everywhere.
 */
export class KeyStatuses {
  private readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
    this.sql.exec(SCHEMA);
  }

  /** Registers a key as active (again, if it was revoked); `expiresMs` null for a key that never expires. */
  register(keyId: string, expiresMs: number | null): void {
    this.sql.exec('INSERT OR REPLACE INTO keys (key_id, expires_ms, revoked_ms) VALUES (?, ?, NULL)', keyId, expiresMs);
  }

  /** Revokes a key from `now` on (a second revocation keeps the first time); false when the key was not registered here. */
  revoke(keyId: string, now: number): boolean {
    return this.sql.exec('UPDATE keys SET revoked_ms = coalesce(revoked_ms, ?) WHERE key_id = ?', now, keyId).rowsWritten > 0;
  }

  status(keyId: string, now: number): KeyStatus {
    const row = this.sql.exec<{ expires_ms: number | null; revoked_ms: number | null }>('SELECT expires_ms, revoked_ms FROM keys WHERE key_id = ?', keyId).toArray()[0];
    if (!row) return 'unknown';
    if (row.revoked_ms !== null) return 'revoked';
    if (row.expires_ms !== null && row.expires_ms <= now) return 'expired';
    return 'active';
  }

  /** When the key was revoked; null while it is not (or is not registered here). */
  revokedAt(keyId: string): number | null {
    return this.sql.exec<{ revoked_ms: number | null }>('SELECT revoked_ms FROM keys WHERE key_id = ?', keyId).toArray()[0]?.revoked_ms ?? null;
  }

  /** Why a request with this key is refused, or null when the key is active. */
  refusal(keyId: string, now: number): RefusalReason | null {
    const status = this.status(keyId, now);
    if (status === 'active') return null;
    return status === 'unknown' ? 'key_unknown' : status === 'revoked' ? 'key_revoked' : 'key_expired';
  }
}
