/**
 * Client tokens as the account's object takes and answers them (its RPC types), apart from the
 * class that keeps them (client-tokens.ts) so that code outside workerd can name them.
 */

/** What a client token may be used for: speech over HTTP, the realtime socket, reading voices and models. */
export type TokenScope = 'speech' | 'realtime' | 'voices:read';
export const TOKEN_SCOPES: readonly TokenScope[] = ['speech', 'realtime', 'voices:read'];

/** What a token is bound to and capped at (null: not bound, or no cap), fixed when it is minted. */
export interface ClientTokenBindings {
  scopes: TokenScope[];
  models: string[] | null;
  voices: string[] | null;
  allowed_origins: string[] | null;
  single_use: boolean;
  max_characters: number | null;
  max_requests: number | null;
}

/** What a key asks for when it mints a token; the edge checked it against the key (edge/tokens/token-request.ts). */
export interface ClientTokenSpec extends ClientTokenBindings {
  token_id: string;
  /** SHA-256 of the token's secret part: the token itself is never stored. */
  token_hash: string;
  key_id: string;
  ttl_ms: number;
}

export type ClientTokenStatus = 'active' | 'expired' | 'revoked' | 'exhausted';

/** A token as `GET /v1/tokens/{id}` shows it: its bindings and what is left. */
export interface ClientTokenState extends ClientTokenBindings {
  id: string;
  key_id: string;
  status: ClientTokenStatus;
  created_ms: number;
  expires_ms: number;
  /** When it, or the key that minted it, was revoked. */
  revoked_ms: number | null;
  characters_used: number;
  characters_reserved: number;
  requests_used: number;
  /** What its caps leave (`single_use` counts as a cap of one request). */
  remaining: TokenStanding;
}

/** What a request with a token wants to do: checked against the token's bindings. */
export interface TokenUse {
  /** SHA-256 of the token's secret part. */
  hash: string;
  scope: TokenScope;
  /** The page's origin; null for a request without `Origin` (a server) or from the API's own pages. */
  origin: string | null;
  /** The served model the request resolved to, and the voice it names (as sent, or the model's default). */
  model?: string;
  voice?: string;
}

export type TokenRefusalReason =
  | 'token_unknown'
  | 'token_revoked'
  | 'token_key_inactive'
  | 'token_expired'
  | 'token_origin'
  | 'token_scope'
  | 'token_model'
  | 'token_voice'
  | 'token_requests_exhausted'
  | 'token_characters_exhausted';

/** What a capped token has left after (or, refused, before) a request; null: no cap. */
export interface TokenStanding {
  characters_remaining: number | null;
  requests_remaining: number | null;
}

/** A token that passed `authorize`: enough to check and take its caps. */
export interface AuthorizedToken {
  token_id: string;
  key_id: string;
  standing: TokenStanding;
}
