import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env.ts';
import { EXPOSED_RESPONSE_HEADERS, OPENAI_CLIENT_REQUEST_HEADERS, PUBLIC_API_METHODS, PUBLIC_API_REQUEST_HEADERS } from '../../middleware/public-api-cors.ts';
import { elevenLabsErrorBody } from './errors.ts';

/** Where the dialect lives: the ElevenLabs SDK's `baseUrl` is `https://<host>/elevenlabs`. */
export const ELEVENLABS_PREFIX = '/elevenlabs';

/** ElevenLabs' credential header. */
export const XI_API_KEY = 'xi-api-key';

/**
 * Every request under the prefix speaks ElevenLabs' dialect: its key (or client token) may come
 * as `xi-api-key` (or as `Authorization: Bearer`, like everywhere else), and every error,
 * refusals by shared middleware included, leaves in ElevenLabs' shape. Registered before
 * anything that may refuse a request.
 */
export const elevenLabsDialect = createMiddleware<AppEnv>(async (c, next) => {
  c.set('errorBody', elevenLabsErrorBody);
  const xiApiKey = c.req.header(XI_API_KEY)?.trim();
  if (xiApiKey) c.set('presentedSecret', xiApiKey);
  await next();
});

/** CORS as on the public API (middleware/public-api-cors.ts), with ElevenLabs' own request headers. */
export const elevenLabsCors = cors({
  origin: '*',
  allowMethods: [...PUBLIC_API_METHODS, 'PATCH'],
  allowHeaders: [...PUBLIC_API_REQUEST_HEADERS, ...OPENAI_CLIENT_REQUEST_HEADERS, XI_API_KEY, 'x-fern-language', 'x-fern-sdk-name', 'x-fern-sdk-version', 'x-fern-runtime', 'x-fern-runtime-version'],
  // ElevenLabs' own answer headers (its speech routes send them beside ours) readable by a page too.
  exposeHeaders: [...EXPOSED_RESPONSE_HEADERS, 'request-id', 'character-cost'],
  maxAge: 7200,
});
