import { expect } from 'vitest';
import type { EdgeHarness } from './edge.ts';

/**
 * Client tokens (docs/client-tokens.md) as tests mint, use and inspect them, through the edge's
 * real routes: POST /v1/tokens with a key, speech with the token, GET /v1/tokens/{id}.
 */

/** A minted token as POST /v1/tokens answers it. */
export type MintedToken = {
  id: string;
  token: string;
  status: string;
  created_at: string;
  expires_at: string;
  [field: string]: unknown;
};

/** A token as GET /v1/tokens/{id} shows it. */
export type TokenView = {
  id: string;
  status: 'active' | 'expired' | 'revoked' | 'exhausted';
  characters_used: number;
  characters_reserved: number;
  characters_remaining: number | null;
  requests_used: number;
  requests_remaining: number | null;
  [field: string]: unknown;
};

export type ApiErrorBody = { code: string; type: string; message: string; param?: string };

const json = { 'content-type': 'application/json' };

export const mintResponse = (edge: EdgeHarness, key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  edge.fetch('/v1/tokens', { method: 'POST', key, headers: { ...json, ...headers }, body: JSON.stringify(body) });

/** Mints a token with `key`, failing the test unless the edge answers 201. */
export async function mintToken(edge: EdgeHarness, key: string, body: Record<string, unknown> = {}): Promise<MintedToken> {
  const response = await mintResponse(edge, key, body);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as MintedToken;
}

/** GET /v1/tokens/{id} with a key of its account, failing the test unless it answers 200. */
export async function tokenView(edge: EdgeHarness, key: string, id: string): Promise<TokenView> {
  const response = await edge.fetch(`/v1/tokens/${id}`, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as TokenView;
}

/** POST /v1/audio/speech with `credential` (a key or a token), PCM unless told; the response unread. */
export const speakWith = (edge: EdgeHarness, credential: string | null, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key: credential,
    headers: { ...json, ...headers },
    body: JSON.stringify({ input: 'Hello there.', response_format: 'pcm', ...body }),
  });

/** The API error of a refusal, after checking its status and that it carries a request id. */
export async function refusal(response: Response, status: number, code: string): Promise<ApiErrorBody> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('x-request-id'), 'every answer has a request id').toBeTruthy();
  const { error } = JSON.parse(text) as { error: ApiErrorBody };
  expect(error.code, text).toBe(code);
  return error;
}

/** A token-shaped string (`tkn_<account id>.<64 hex>`) that no edge signed. */
export const forgedToken = (accountId: string) => `tkn_${accountId}.${'0123456789abcdef'.repeat(4)}`;

export type LedgerRow = { request_id: string; key_id: string; token_id: string | null; credits_charged: number; characters: number; status: string };

/**
 * The ledger rows (D1) of a token, once there are `count` of them: rows are written after their
 * stream settles, so they are polled for, up to a deadline.
 */
export async function ledgerRowsOfToken(edge: EdgeHarness, tokenId: string, count: number, timeoutMs = 15_000): Promise<LedgerRow[]> {
  const db = await edge.mf.getD1Database('DB');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { results } = await db
      .prepare('SELECT request_id, key_id, token_id, credits_charged, characters, status FROM usage_ledger WHERE token_id = ?1 ORDER BY request_id')
      .bind(tokenId)
      .all<LedgerRow>();
    if (results.length >= count) return results;
    if (Date.now() > deadline) throw new Error(`the ledger has ${results.length} of ${count} rows for ${tokenId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The account's credits as the admin API shows them: available, and held by running streams. */
export async function accountCredits(edge: EdgeHarness, accountId: string): Promise<{ balance: number; reserved: number }> {
  const response = await edge.admin('GET', `/admin/accounts/${accountId}`);
  expect(response.status, await response.clone().text()).toBe(200);
  const { balance, reserved } = (await response.json()) as { balance: number; reserved: number };
  return { balance, reserved };
}
