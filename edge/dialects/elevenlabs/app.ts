import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';
import { elevenLabsModelsRoute } from './routes/v1_models.ts';

/**
 * ElevenLabs' API as a dialect over the same speech core (docs/elevenlabs.md): mounted under
 * `/elevenlabs` (edge/app.ts), where ElevenLabs' own paths follow. Each route maps its request onto
 * the core the OpenAI-shaped routes use and shapes the answer; nothing here speaks on its own.
 */
export const elevenLabsApp = new Hono<AppEnv>().route('/', elevenLabsModelsRoute);
