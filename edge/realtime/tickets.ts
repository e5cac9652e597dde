import { ApiError } from '../../shared/errors.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { TicketHolder } from '../accounts/socket-tickets.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { newAccountBoundSecret, readAccountBoundSecret } from '../auth/account-bound-secret.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';

/** A ticket opens one socket within this long of being issued. */
export const TICKET_TTL_MS = 60_000;
const PREFIX = 'wst_';

export const TICKET_ERRORS = errorCatalogue({ 401: ['invalid_ticket'] });
const invalidTicket = () =>
  new ApiError(401, 'authentication_error', 'invalid_ticket', 'The ticket is unknown, used or expired: ask POST /v1/audio/speech/stream/tickets for a new one.');

/**
 * Issues a single-use ticket for a key: `wst_<account id>.<secret>`. The account id routes the
 * redemption to the account's Durable Object, which keeps only the secret's hash, and the key's
 * allowed origins: the page that opens the socket may not be the server that asked.
 */
export async function issueTicket(env: Env, accountId: string, holder: TicketHolder): Promise<{ ticket: string; expires_at: string }> {
  const { secret, hash } = await newAccountBoundSecret(PREFIX, accountId, edgeConfig(env).workerSecret);
  await accountObject(env, accountId).issueTicket(hash, holder, TICKET_TTL_MS);
  return { ticket: secret, expires_at: new Date(Date.now() + TICKET_TTL_MS).toISOString() };
}

/** The account and key a ticket stands for, with the key's allowed origins; it cannot be used again. */
export async function redeemTicket(env: Env, ticket: string): Promise<TicketHolder & { accountId: string }> {
  const read = await readAccountBoundSecret(PREFIX, ticket, edgeConfig(env).workerSecret);
  if (!read) throw invalidTicket();
  const { accountId, hash } = read;
  const holder = await accountObject(env, accountId).redeemTicket(hash);
  if (!holder) throw invalidTicket();
  return { accountId, ...holder };
}
