import { Hono } from 'hono';
import { OUTPUT_SAMPLE_RATE } from '../../shared/audio/formats.ts';
import type { AppEnv } from '../env.ts';
import { apiKeyAuth } from '../middleware/api-key-auth.ts';
import { WorkerPool } from '../pool/worker-pool.ts';

/** `GET /v1/models`: the models the worker pool serves, in OpenAI's list shape. */
export const modelsRoute = new Hono<AppEnv>();

modelsRoute.get('/v1/models', apiKeyAuth('speech', 'voices'), async (c) => {
  const models = await new WorkerPool(c.env).models();
  return c.json({
    object: 'list',
    data: [...models.values()].map(({ info }) => ({
      id: info.id,
      object: 'model',
      owned_by: 'open-tts',
      engine: info.engine,
      description: info.description,
      languages: info.languages,
      // What clients receive: every stream leaves the worker resampled to this rate.
      sample_rate: OUTPUT_SAMPLE_RATE,
      capabilities: info.capabilities,
      default_voice: info.default_voice,
    })),
  });
});
