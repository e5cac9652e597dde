import { ApiError } from '../../shared/errors.ts';
import type { TokenRefusalReason, TokenStanding } from '../accounts/client-token-types.ts';
import { ORIGIN_ERRORS } from '../auth/allowed-origins.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { documentHeaders } from '../openapi/headers.ts';

const WWW_AUTHENTICATE = documentHeaders({ 'www-authenticate': '`Bearer`: the client token goes in `Authorization: Bearer <token>`.' });

/** What a request with a client token can be refused with (docs/client-tokens.md). */
export const TOKEN_ERRORS = errorCatalogue(
  { 401: ['invalid_token', 'token_expired'], 402: ['token_exhausted'], 403: ['token_scope', ...ORIGIN_ERRORS.codes[403]] },
  { 401: WWW_AUTHENTICATE },
);

/** What a request asked for, for the refusal's message. */
export interface TokenRequestFacts {
  scope?: string;
  model?: string;
  voice?: string;
  origin?: string | null;
  characters?: number;
  standing?: TokenStanding;
}

const unauthorized = (code: 'invalid_token' | 'token_expired', message: string) =>
  new ApiError(401, 'authentication_error', code, message, { headers: { 'www-authenticate': 'Bearer' } });
const outOfScope = (message: string, param?: string) => new ApiError(403, 'permission_error', 'token_scope', message, param ? { param } : {});

/** The answer to a token the account's object refused. Messages never repeat the token. */
export function tokenRefusal(reason: TokenRefusalReason, facts: TokenRequestFacts = {}): ApiError {
  switch (reason) {
    case 'token_unknown':
      return unauthorized('invalid_token', 'The client token is not valid.');
    case 'token_revoked':
      return unauthorized('invalid_token', 'The client token has been revoked.');
    case 'token_key_inactive':
      return unauthorized('invalid_token', 'The API key that minted this client token was revoked or has expired, and its tokens ended with it.');
    case 'token_expired':
      return unauthorized('token_expired', 'The client token has expired: ask the server that minted it for a new one.');
    case 'token_origin':
      return new ApiError(403, 'permission_error', 'origin_not_allowed', `This client token may not be used from ${JSON.stringify(facts.origin ?? '')}: the origin is not among its allowed_origins.`);
    case 'token_scope':
      return outOfScope(`This client token lacks the ${JSON.stringify(facts.scope ?? '')} scope, which this route needs.`);
    case 'token_model':
      return outOfScope(`This client token may not speak with the model ${JSON.stringify(facts.model ?? '')}.`, 'model');
    case 'token_voice':
      return outOfScope(`This client token may not speak with the voice ${JSON.stringify(facts.voice ?? '')}.`, 'voice');
    case 'token_requests_exhausted':
      return new ApiError(402, 'insufficient_credits', 'token_exhausted', 'This client token has no requests left (its max_requests, or it was single-use). Ask for a new one.');
    case 'token_characters_exhausted':
      return new ApiError(
        402,
        'insufficient_credits',
        'token_exhausted',
        `This request has ${facts.characters ?? 0} characters and the client token has ${facts.standing?.characters_remaining ?? 0} left of its max_characters. Ask for a new one.`,
        { param: 'input' },
      );
  }
}

export const isTokenRefusal = (reason: string): reason is TokenRefusalReason => reason.startsWith('token_');
