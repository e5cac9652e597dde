import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse } from '../openapi/index.ts';
import { issueTicket } from '../realtime/tickets.ts';

/**
 * `POST /v1/audio/speech/stream/tickets`: a single-use ticket onto the realtime socket, for a
 * browser that cannot send the Authorization header there. The server that holds the key asks
 * for it and hands the page only the ticket.
 */
export const speechStreamTicketsRoute = new Hono<AppEnv>();

const TicketSchema = z
  .object({
    object: z.literal('speech_stream_ticket'),
    ticket: z.string().describe('Open `wss://…/v1/audio/speech/stream?ticket=<ticket>` with it, once.'),
    expires_at: z.string().describe('ISO 8601; 60 s after issue.'),
  })
  .meta({ id: 'SpeechStreamTicket' });

const ticketDocs = describeRoute({
  tags: ['Speech'],
  operationId: 'createSpeechStreamTicket',
  summary: 'Create a realtime socket ticket',
  description: 'A single-use ticket, valid for 60 s, that opens one realtime socket as this key: browsers cannot set headers on a WebSocket, and a key in a URL ends up in logs.',
  security: apiKeySecurity('speech'),
  responses: { 201: jsonResponse('The ticket.', TicketSchema), ...errorResponses(API_KEY_ERRORS) },
});

speechStreamTicketsRoute.post('/v1/audio/speech/stream/tickets', ticketDocs, apiKeyAuth('speech'), async (c) => {
  const key = c.get('apiKey');
  const { ticket, expires_at } = await issueTicket(c.env, key.account_id, { keyId: key.id, allowedOrigins: key.allowed_origins ?? null });
  return c.json({ object: 'speech_stream_ticket' as const, ticket, expires_at } satisfies z.infer<typeof TicketSchema>, 201);
});
