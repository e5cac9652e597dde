import type {
  AuthorizedToken,
  ClientTokenSpec,
  ClientTokenState,
  ClientTokenStatus,
  TokenRefusalReason,
  TokenScope,
  TokenStanding,
  TokenUse,
} from './client-token-types.ts';
import type { KeyStatuses } from './key-status.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS client_tokens (
  token_id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  key_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked_ms INTEGER,
  -- JSON arrays; NULL: not bound (any model, voice or origin the key may use).
  scopes TEXT NOT NULL,
  models TEXT,
  voices TEXT,
  allowed_origins TEXT,
  single_use INTEGER NOT NULL,
  max_characters INTEGER,
  max_requests INTEGER,
  -- Characters charged by settled requests, and held by running ones (their reservations).
  characters_used INTEGER NOT NULL DEFAULT 0,
  characters_reserved INTEGER NOT NULL DEFAULT 0,
  requests_used INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS client_tokens_by_expiry ON client_tokens (expires_ms);
`;

/** A token is kept (for `GET /v1/tokens/{id}`) this long after it expired, then forgotten. */
const RETENTION_AFTER_EXPIRY_MS = 7 * 24 * 3600_000;

type TokenRow = {
  token_id: string;
  key_id: string;
  created_ms: number;
  expires_ms: number;
  revoked_ms: number | null;
  scopes: string;
  models: string | null;
  voices: string | null;
  allowed_origins: string | null;
  single_use: number;
  max_characters: number | null;
  max_requests: number | null;
  characters_used: number;
  characters_reserved: number;
  requests_used: number;
};

const list = <T = string>(json: string | null): T[] | null => (json === null ? null : (JSON.parse(json) as T[]));
const json = (values: readonly string[] | null) => (values === null ? null : JSON.stringify(values));

/** Requests a token may still serve; null: no cap. `single_use` is a cap of one. */
const requestsCap = (row: Pick<TokenRow, 'single_use' | 'max_requests'>) => (row.single_use ? 1 : row.max_requests);

const standingOf = (row: TokenRow): TokenStanding => {
  const cap = requestsCap(row);
  return {
    characters_remaining: row.max_characters === null ? null : Math.max(0, row.max_characters - row.characters_used - row.characters_reserved),
    requests_remaining: cap === null ? null : Math.max(0, cap - row.requests_used),
  };
};

/**
 * The account's client tokens: short-lived credentials a key mints for one app install or one
 * page, bound to scopes, models, voices and origins, with caps on characters and requests. They
 * live here, beside the account's limits, because their caps must hold exactly under concurrency:
 * admission checks and takes them in the same synchronous step as the account's own limits (no
 * other request runs in between), and settlement gives back what a request reserved and did not use.
 */
export class ClientTokens {
  private readonly sql: SqlStorage;
  private readonly keys: KeyStatuses;

  constructor(sql: SqlStorage, keys: KeyStatuses) {
    this.sql = sql;
    this.keys = keys;
    this.sql.exec(SCHEMA);
  }

  mint(spec: ClientTokenSpec, now: number): ClientTokenState {
    this.sweep(now);
    this.sql.exec(
      `INSERT INTO client_tokens (token_id, token_hash, key_id, created_ms, expires_ms, scopes, models, voices, allowed_origins,
         single_use, max_characters, max_requests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      spec.token_id,
      spec.token_hash,
      spec.key_id,
      now,
      now + spec.ttl_ms,
      JSON.stringify(spec.scopes),
      json(spec.models),
      json(spec.voices),
      json(spec.allowed_origins),
      spec.single_use ? 1 : 0,
      spec.max_characters,
      spec.max_requests,
    );
    return this.state(spec.token_id, now)!;
  }

  /** The token as it stands now; null when there is none by that id (or it was forgotten, a week after expiring). */
  state(tokenId: string, now: number): ClientTokenState | null {
    const row = this.row('token_id', tokenId);
    if (!row) return null;
    const key = this.keys.status(row.key_id, now);
    const standing = standingOf(row);
    const status: ClientTokenStatus =
      row.revoked_ms !== null || key === 'revoked' || key === 'unknown'
        ? 'revoked'
        : row.expires_ms <= now || key === 'expired'
          ? 'expired'
          : standing.characters_remaining === 0 || standing.requests_remaining === 0
            ? 'exhausted'
            : 'active';
    return {
      id: row.token_id,
      key_id: row.key_id,
      status,
      created_ms: row.created_ms,
      expires_ms: row.expires_ms,
      revoked_ms: row.revoked_ms ?? this.keys.revokedAt(row.key_id),
      scopes: list<TokenScope>(row.scopes)!,
      models: list(row.models),
      voices: list(row.voices),
      allowed_origins: list(row.allowed_origins),
      single_use: row.single_use === 1,
      max_characters: row.max_characters,
      max_requests: row.max_requests,
      characters_used: row.characters_used,
      characters_reserved: row.characters_reserved,
      requests_used: row.requests_used,
      remaining: standing,
    };
  }

  /** Revokes a token from the next request on (a second revocation keeps the first time); null when there is none. */
  revoke(tokenId: string, now: number): ClientTokenState | null {
    this.sql.exec('UPDATE client_tokens SET revoked_ms = coalesce(revoked_ms, ?) WHERE token_id = ?', now, tokenId);
    return this.state(tokenId, now);
  }

  /**
   * Whether the token may be used for `use` now: it exists, is neither revoked nor expired, the
   * key that minted it is still active, and the origin, scope, model and voice are among what it
   * is bound to. Caps are not checked here: only what takes from them does (`exhaustion`).
   */
  authorize(use: TokenUse, now: number): { ok: true; token: AuthorizedToken } | { ok: false; reason: TokenRefusalReason } {
    const row = this.row('token_hash', use.hash);
    const refused = (reason: TokenRefusalReason) => ({ ok: false as const, reason });
    if (!row) return refused('token_unknown');
    if (row.revoked_ms !== null) return refused('token_revoked');
    if (row.expires_ms <= now) return refused('token_expired');
    if (this.keys.refusal(row.key_id, now)) return refused('token_key_inactive');
    const origins = list(row.allowed_origins);
    if (origins && use.origin !== null && !origins.includes(use.origin)) return refused('token_origin');
    if (!list<TokenScope>(row.scopes)!.includes(use.scope)) return refused('token_scope');
    const models = list(row.models);
    if (models && use.model !== undefined && !models.includes(use.model)) return refused('token_model');
    const voices = list(row.voices);
    if (voices && use.voice !== undefined && !voices.includes(use.voice)) return refused('token_voice');
    return { ok: true, token: { token_id: row.token_id, key_id: row.key_id, standing: standingOf(row) } };
  }

  /** Why the token cannot take `characters` (and one request, when it counts), or null when it can. */
  exhaustion(token: AuthorizedToken, characters: number, countsRequest: boolean): TokenRefusalReason | null {
    const { characters_remaining, requests_remaining } = token.standing;
    if (countsRequest && requests_remaining !== null && requests_remaining < 1) return 'token_requests_exhausted';
    if (characters_remaining !== null && characters > characters_remaining) return 'token_characters_exhausted';
    return null;
  }

  /** Takes an admitted request's reservation (and the request) from the token; call within admission's transaction. */
  take(token: AuthorizedToken, characters: number, countsRequest: boolean): TokenStanding {
    this.sql.exec(
      'UPDATE client_tokens SET characters_reserved = characters_reserved + ?, requests_used = requests_used + ? WHERE token_id = ?',
      characters,
      countsRequest ? 1 : 0,
      token.token_id,
    );
    const { characters_remaining, requests_remaining } = token.standing;
    return {
      characters_remaining: characters_remaining === null ? null : characters_remaining - characters,
      requests_remaining: requests_remaining === null || !countsRequest ? requests_remaining : requests_remaining - 1,
    };
  }

  /**
   * A request of the token settled: its reservation becomes `charged`, the rest is the token's
   * again. A request that failed before any audio (charged nothing) gives its request back too,
   * so a single-use token is not spent on a worker's failure.
   */
  settle(tokenId: string, settled: { reserved: number; charged: number; countedRequest: boolean; failedUnheard: boolean }): void {
    this.sql.exec(
      `UPDATE client_tokens SET characters_reserved = max(0, characters_reserved - ?), characters_used = characters_used + ?,
         requests_used = max(0, requests_used - ?) WHERE token_id = ?`,
      settled.reserved,
      settled.charged,
      settled.countedRequest && settled.failedUnheard ? 1 : 0,
      tokenId,
    );
  }

  private row(column: 'token_id' | 'token_hash', value: string): TokenRow | undefined {
    return this.sql.exec<TokenRow>(`SELECT * FROM client_tokens WHERE ${column} = ?`, value).toArray()[0];
  }

  /** Forgets tokens a week past their expiry. */
  private sweep(now: number): void {
    this.sql.exec('DELETE FROM client_tokens WHERE expires_ms < ? AND characters_reserved = 0', now - RETENTION_AFTER_EXPIRY_MS);
  }
}
