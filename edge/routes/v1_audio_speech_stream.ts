import { type Context, Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { ApiError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth, keyOriginRefusal } from '../middleware/api-key-auth.ts';
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
/** Opening a socket takes one token of the requests-per-minute limit. */
const OPENING_ERRORS = errorCatalogue({ 429: ['rate_limit_requests'] }, { 429: { ...RETRY_AFTER_HEADERS, ...LIMIT_HEADERS } });

const speechStreamDocs = describeRoute({
  tags: ['Speech'],
  operationId: 'openSpeechStream',
  summary: 'Open a realtime speech socket',
  description:
    'Upgrades to a WebSocket. The first message is `config`; then `text`, `flush`, `cancel` and `close`, each for a `context_id`. The server sends `ready`, `audio` (with word `timestamps`), `done` and `error`. Message schemas and a browser client: docs/realtime.md.',
  security: SOCKET_SECURITY,
  responses: {
    101: { description: 'Switching to the WebSocket protocol.' },
    ...errorResponses(API_KEY_ERRORS, TICKET_ERRORS, UPGRADE_ERRORS, OPENING_ERRORS),
  },
});

/**
 * Who opens the socket: a ticket (browsers), else the Authorization header as on HTTP. Either
 * way a page on an origin the key does not allow is refused: browsers send Origin on upgrades.
 */
async function socketCaller(c: Context<AppEnv>): Promise<{ accountId: string; keyId: string }> {
  const ticket = c.req.query('ticket');
  if (ticket !== undefined) {
    const { accountId, keyId, allowedOrigins } = await redeemTicket(c.env, ticket);
    const wrongOrigin = keyOriginRefusal(c, allowedOrigins);
    if (wrongOrigin) throw wrongOrigin;
    return { accountId, keyId };
  }
  await apiKeyAuth('speech')(c, async () => {});
  const key = c.get('apiKey');
  return { accountId: key.account_id, keyId: key.id };
}

speechStreamRoute.get('/v1/audio/speech/stream', speechStreamDocs, async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, 'invalid_request_error', 'upgrade_required', 'Connect with a WebSocket (Upgrade: websocket).', { headers: { upgrade: 'websocket' } });
  }
  const { accountId, keyId } = await socketCaller(c);
  const admitted = await accountObject(c.env, accountId).admitSocket(keyId);
  if (!admitted.ok) throw refusalError(admitted, 0);
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  new RealtimeSession(server, { c, accountId, keyId, sessionId: c.get('requestId') }).start();
  return new Response(null, { status: 101, webSocket: client });
});
