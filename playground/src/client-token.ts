import { ApiFailure, apiJson } from './api.ts';
import { byId } from './dom.ts';
import { formatCount } from './units.ts';

/**
 * "Try as a browser app": the page plays both parts of docs/client-tokens.md's web page flow. As
 * the server, it mints a client token with the pasted key (`POST /v1/tokens`); as the page, it
 * speaks with that token only, over HTTP (`Authorization: Bearer tkn_…`) and on the realtime
 * socket (`?token=`): the key is not sent on those requests. A new token is minted when the
 * current one has expired, is about to, or has run out, and when the API refuses it as such.
 * Clone, design, usage and the lists of models and voices go on with the key.
 */
const toggle = byId('browser-app', HTMLInputElement);
const status = byId('token-status', HTMLElement);

const STORAGE_KEY = 'open-tts.browser-app';
/** What the page asks for: short-lived, capped, and only what the Speak and Live panels use. */
const MINT_REQUEST = { ttl_seconds: 600, max_characters: 20_000, max_requests: 100, scopes: ['speech', 'realtime', 'voices:read'] };
/** A token this close to its expiry is not used: a request could outlast it. */
const EXPIRY_MARGIN_MS = 30_000;
/** The API's refusals that a new token cures. */
const STALE_TOKEN_CODES = new Set(['invalid_token', 'token_expired', 'token_exhausted']);

/** `POST /v1/tokens`' answer, as far as the page reads it. */
interface ClientToken {
  id: string;
  token: string;
  expires_at: string;
  characters_remaining: number | null;
  requests_remaining: number | null;
}

let current: ClientToken | null = null;
let minting: Promise<ClientToken> | null = null;

export const browserAppMode = (): boolean => toggle.checked;

function show(): void {
  if (!toggle.checked) return void (status.textContent = '');
  if (!current) return void (status.textContent = 'A client token is minted with the key at the next Speak.');
  const left = [
    current.characters_remaining === null ? null : formatCount(current.characters_remaining, 'characters'),
    current.requests_remaining === null ? null : formatCount(current.requests_remaining, 'requests'),
  ].filter(Boolean);
  const expires = new Date(current.expires_at).toLocaleTimeString();
  status.textContent = `Client token ${current.id}: expires ${expires}${left.length ? `, ${left.join(' and ')} left` : ''}.`;
}

const usable = (token: ClientToken, characters: number) =>
  Date.parse(token.expires_at) - Date.now() > EXPIRY_MARGIN_MS &&
  (token.requests_remaining === null || token.requests_remaining > 0) &&
  (token.characters_remaining === null || token.characters_remaining >= characters);

/** The current token if it can take a request of `characters`; else a new one, minted with the key. */
async function tokenFor(characters: number): Promise<ClientToken> {
  if (current && usable(current, characters)) return current;
  minting ??= apiJson<ClientToken>('/v1/tokens', { method: 'POST', json: MINT_REQUEST }).finally(() => (minting = null));
  current = await minting;
  show();
  return current;
}

/** The token to open a socket or make a request of `characters` with (minted with the key when needed). */
export const clientToken = async (characters: number): Promise<string> => (await tokenFor(characters)).token;

/** Forgets the token (a new key, the toggle turned, or the API refused it): the next use mints another. */
export function forgetToken(): void {
  current = null;
  show();
}

/**
 * Runs `call` with the bearer it should send: a client token in browser-app mode, else undefined
 * (the key). A token the API refuses as revoked, expired or exhausted is replaced once and the
 * call made again: such a refusal took nothing.
 */
export async function withCredential<T>(characters: number, call: (bearer: string | undefined) => Promise<T>): Promise<T> {
  if (!toggle.checked) return call(undefined);
  try {
    return await call((await tokenFor(characters)).token);
  } catch (error) {
    if (!(error instanceof ApiFailure && STALE_TOKEN_CODES.has(error.code))) throw error;
    forgetToken();
    return call((await tokenFor(characters)).token);
  }
}

/** A speech answer's `x-token-remaining-*`: what the token has left once this request was reserved. */
export function noteTokenHeaders(response: Response): void {
  if (!current || !toggle.checked) return;
  const read = (name: string) => {
    const value = response.headers.get(name);
    return value !== null && Number.isFinite(Number(value)) ? Number(value) : undefined;
  };
  current.characters_remaining = read('x-token-remaining-characters') ?? current.characters_remaining;
  current.requests_remaining = read('x-token-remaining-requests') ?? current.requests_remaining;
  show();
}

/** A socket was opened with the token: that took one of its requests. */
export function noteSocketOpened(): void {
  if (current?.requests_remaining != null) current.requests_remaining = Math.max(0, current.requests_remaining - 1);
  show();
}

/** What the token has left once its requests settled (`GET /v1/tokens/{id}`, with the key, as the server would ask). */
export async function refreshToken(): Promise<void> {
  const token = current;
  if (!token || !toggle.checked) return;
  const state = await apiJson<Omit<ClientToken, 'token'> & { status: string }>(`/v1/tokens/${token.id}`);
  if (current !== token) return;
  if (state.status !== 'active') return forgetToken();
  token.characters_remaining = state.characters_remaining;
  token.requests_remaining = state.requests_remaining;
  show();
}

/** Whether an API error code means the token is spent (the socket's own `error` messages). */
export const isStaleTokenCode = (code: string): boolean => STALE_TOKEN_CODES.has(code);

export function setupClientToken(onChange: () => void): void {
  toggle.checked = sessionStorage.getItem(STORAGE_KEY) === 'on';
  toggle.addEventListener('change', () => {
    if (toggle.checked) sessionStorage.setItem(STORAGE_KEY, 'on');
    else sessionStorage.removeItem(STORAGE_KEY);
    forgetToken();
    onChange();
  });
  show();
}
