import { type Context, Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { ApiError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { apiKeyAuth, keyOriginRefusal, presentedSecret } from '../middleware/api-key-auth.ts';
import { CALLER_ERRORS, type Caller, credentialOf, tokenCaller } from '../middleware/caller-auth.ts';
import { isClientToken } from '../tokens/token-secret.ts';
import { errorCatalogue, errorResponses, SOCKET_SECURITY } from '../openapi/index.ts';
import { accountObject } from '../accounts/account-stub.ts';
import { LIMIT_HEADERS, refusalError } from '../middleware/limits.ts';
import { RETRY_AFTER_HEADERS } from '../openapi/headers.ts';
import { RealtimeSession } from '../realtime/session.ts';
import { redeemTicket, TICKET_ERRORS } from '../realtime/tickets.ts';

/**
 * `GET /v1/audio/speech/stream`: the realtime socket (docs/realtime.md). Text in as it is
 * written, audio out as it is made, per context, with word timestamps.
 */
export const speechStreamRoute = new Hono<AppEnv>();

const UPGRADE_ERRORS = errorCatalogue({ 426: ['upgrade_required'] });
/** Opening a socket takes one token of the requests-per-minute limit, and one of a client token's requests. */
const OPENING_ERRORS = errorCatalogue({ 402: ['token_exhausted'], 429: ['rate_limit_requests'] }, { 429: { ...RETRY_AFTER_HEADERS, ...LIMIT_HEADERS } });

const speechStreamDocs = describeRoute({
  tags: ['Speech'],
  operationId: 'openSpeechStream',
  summary: 'Open a realtime speech socket',
  description:
    'Upgrades to a WebSocket. The first message is `config`; then `text`, `flush`, `cancel` and `close`, each for a `context_id`. The server sends `ready`, `audio` (with word `timestamps`), `done` and `error`. Message schemas and a browser client: docs/realtime.md.',
  security: SOCKET_SECURITY,
  responses: {
    101: { description: 'Switching to the WebSocket protocol.' },
    ...errorResponses(CALLER_ERRORS, TICKET_ERRORS, UPGRADE_ERRORS, OPENING_ERRORS),
  },
});

/**
 * Who opens the socket: a ticket or a client token in the URL (browsers cannot set headers on a
 * WebSocket), else the Authorization header (a key, or a client token) as on HTTP. Either way a
 * page on an origin the key or token does not allow is refused: browsers send Origin on upgrades.
 * A token is checked by admission (`admitSocket`), with the socket's opening.
 */
async function socketCaller(c: Context<AppEnv>): Promise<Caller> {
  const ticket = c.req.query('ticket');
  if (ticket !== undefined) {
    const { accountId, keyId, allowedOrigins } = await redeemTicket(c.env, ticket);
    const wrongOrigin = keyOriginRefusal(c, allowedOrigins);
    if (wrongOrigin) throw wrongOrigin;
    return { accountId, keyId };
  }
  const token = c.req.query('token') ?? presentedSecret(c);
  if (token !== undefined && isClientToken(token)) return tokenCaller(c, token);
  await apiKeyAuth('speech')(c, async () => {});
  return c.get('caller');
}

speechStreamRoute.get('/v1/audio/speech/stream', speechStreamDocs, async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, 'invalid_request_error', 'upgrade_required', 'Connect with a WebSocket (Upgrade: websocket).', { headers: { upgrade: 'websocket' } });
  }
  const caller = await socketCaller(c);
  const admitted = await accountObject(c.env, caller.accountId).admitSocket(credentialOf(caller, { scope: 'realtime' }));
  if (!admitted.ok) throw refusalError(admitted, 0, undefined, { scope: 'realtime', origin: caller.token?.origin ?? null });
  c.set('caller', caller);
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  new RealtimeSession(server, { c, caller, sessionId: c.get('requestId') }).start();
  return new Response(null, { status: 101, webSocket: client });
});
