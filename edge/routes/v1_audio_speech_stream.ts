import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { ApiError } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { CALLER_ERRORS } from '../middleware/caller-auth.ts';
import { errorCatalogue, errorResponses, SOCKET_SECURITY } from '../openapi/index.ts';
import { LIMIT_HEADERS } from '../middleware/limits.ts';
import { RETRY_AFTER_HEADERS } from '../openapi/headers.ts';
import { RealtimeSession } from '../realtime/session.ts';
import { admitSocketCaller } from '../realtime/socket-caller.ts';
import { TICKET_ERRORS } from '../realtime/tickets.ts';

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

speechStreamRoute.get('/v1/audio/speech/stream', speechStreamDocs, async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, 'invalid_request_error', 'upgrade_required', 'Connect with a WebSocket (Upgrade: websocket).', { headers: { upgrade: 'websocket' } });
  }
  const caller = await admitSocketCaller(c);
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  new RealtimeSession(server, { c, caller, sessionId: c.get('requestId') }).start();
  return new Response(null, { status: 101, webSocket: client });
});
