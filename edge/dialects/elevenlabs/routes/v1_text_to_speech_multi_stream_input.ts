import { Hono } from 'hono';
import type { AppEnv } from '../../../env.ts';
import { openElevenLabsSocket } from '../sockets/socket-bridge.ts';
import { elevenLabsSocketDocs } from '../sockets/socket-docs.ts';

/** `GET /elevenlabs/v1/text-to-speech/{voice_id}/multi-stream-input`: ElevenLabs' multi-context speech socket, over our realtime session. */
export const elevenLabsMultiStreamInputRoute = new Hono<AppEnv>().get('/v1/text-to-speech/:voice_id/multi-stream-input', elevenLabsSocketDocs('multi-stream-input'), (c) =>
  openElevenLabsSocket(c, 'multi-stream-input'),
);
