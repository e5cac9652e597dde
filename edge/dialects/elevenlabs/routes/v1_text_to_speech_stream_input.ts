import { Hono } from 'hono';
import type { AppEnv } from '../../../env.ts';
import { openElevenLabsSocket } from '../sockets/socket-bridge.ts';
import { elevenLabsSocketDocs } from '../sockets/socket-docs.ts';

/** `GET /elevenlabs/v1/text-to-speech/{voice_id}/stream-input`: ElevenLabs' speech socket, over our realtime session. */
export const elevenLabsStreamInputRoute = new Hono<AppEnv>().get('/v1/text-to-speech/:voice_id/stream-input', elevenLabsSocketDocs('stream-input'), (c) =>
  openElevenLabsSocket(c, 'stream-input'),
);
