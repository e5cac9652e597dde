/**
 * Client tokens as a client holds them: `tkn_<account id>.<64 hex digits>` (account-bound-secret.ts). Only the account's
 * Durable Object can tell whether one is valid (it keeps their hashes, with their caps and
 * bindings), and the account id in the token routes it there: a request with a token reads no KV
 * at all, where one with a key reads its record first.
 */
import { type AccountBoundSecret, newAccountBoundSecret, readAccountBoundSecret } from '../auth/account-bound-secret.ts';

export const CLIENT_TOKEN_PREFIX = 'tkn_';

/** Whether a bearer credential is a client token (not an API key, `tts_…`). */
export const isClientToken = (bearer: string): boolean => bearer.startsWith(CLIENT_TOKEN_PREFIX);

/** `edgeSecret`: the edge's WORKER_SECRET, which signs what it mints. */
export const newClientToken = (accountId: string, edgeSecret: string) => newAccountBoundSecret(CLIENT_TOKEN_PREFIX, accountId, edgeSecret);

/** The account and hash of a token; null for anything not shaped as one. */
export const readClientToken = (value: string, edgeSecret: string): Promise<AccountBoundSecret | null> => readAccountBoundSecret(CLIENT_TOKEN_PREFIX, value, edgeSecret);

/** A token's public id, which `GET /v1/tokens/{id}` and the ledger use: never the token itself. */
export const newTokenId = (): string => `tok_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
export const TOKEN_ID_PATTERN = /^tok_[0-9a-f]{24}$/;
