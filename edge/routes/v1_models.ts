import { Hono } from 'hono';
import { SAMPLE_RATES, OUTPUT_SAMPLE_RATE } from '../../shared/audio/formats.ts';
import type { AppEnv } from '../env.ts';
import { apiKeyAuth } from '../middleware/api-key-auth.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { openAiAliases } from '../speech/openai-aliases.ts';
import { defaultModelId } from '../speech/resolve.ts';

/**
 * `GET /v1/models`: the models the worker pool serves, in OpenAI's list shape, then OpenAI's
 * model names with the served model each stands for (`alias_of`).
 */
export const modelsRoute = new Hono<AppEnv>();

modelsRoute.get('/v1/models', apiKeyAuth('speech', 'voices'), async (c) => {
  const models = await new WorkerPool(c.env).models();
  const served = [...models.keys()];
  const aliases = openAiAliases(c.env).listModels(served, defaultModelId(c.env, models));
  return c.json({
    object: 'list',
    data: [
      ...[...models.values()].map(({ info }) => ({
        id: info.id,
        object: 'model',
        owned_by: 'open-tts',
        engine: info.engine,
        description: info.description,
        languages: info.languages,
        // Whatever the engine's own rate, clients get this one unless they ask for another.
        sample_rate: OUTPUT_SAMPLE_RATE,
        sample_rates: SAMPLE_RATES,
        capabilities: info.capabilities,
        default_voice: info.default_voice,
      })),
      ...aliases.map(({ alias, model }) => ({ id: alias, object: 'model', owned_by: 'open-tts', alias_of: model })),
    ],
  });
});
