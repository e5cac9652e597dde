import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { SAMPLE_RATES, OUTPUT_SAMPLE_RATE } from '../../shared/audio/formats.ts';
import { ModelInfoSchema } from '../../shared/schemas/catalog.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv } from '../env.ts';
import { CALLER_ERRORS, callerAuth } from '../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, errorResponses, jsonResponse } from '../openapi/index.ts';
import { POOL_ERRORS, WorkerPool } from '../pool/worker-pool.ts';
import { defaultModelId } from '../speech/resolve.ts';

/**
 * `GET /v1/models`: the models the worker pool serves, in OpenAI's list shape, then OpenAI's
 * model names with the served model each stands for (`alias_of`).
 */
export const modelsRoute = new Hono<AppEnv>();

const ModelObjectSchema = ModelInfoSchema.pick({ id: true, engine: true, description: true, languages: true, capabilities: true, default_voice: true })
  .extend({
    object: z.literal('model'),
    owned_by: z.literal('open-tts'),
    sample_rate: z.number().int().describe('The rate audio comes at unless a request asks for another.'),
    sample_rates: z.array(z.number().int()).describe('The rates a request may ask for.'),
    version: z.string().describe("What makes the model's audio: its weights and the worker release that serves it. The same request may sound different under another version; empty from an older worker."),
  })
  .meta({ id: 'Model' });

const ModelAliasSchema = z
  .object({ id: z.string(), object: z.literal('model'), owned_by: z.literal('open-tts'), alias_of: z.string().describe('The served model this name stands for.') })
  .meta({ id: 'ModelAlias', description: "One of OpenAI's model names." });

const ModelListSchema = z.object({ object: z.literal('list'), data: z.array(z.union([ModelObjectSchema, ModelAliasSchema])) });

const listModelsDocs = describeRoute({
  tags: ['Models'],
  operationId: 'listModels',
  summary: 'List models',
  description: "The models the worker pool serves, then OpenAI's model names with the served model each stands for.",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  responses: { 200: jsonResponse('The models.', ModelListSchema), ...errorResponses(CALLER_ERRORS, POOL_ERRORS) },
});

modelsRoute.get('/v1/models', listModelsDocs, callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const models = await new WorkerPool(c.env).models();
  const served = [...models.keys()];
  const aliases = edgeConfig(c.env).openAiAliases.listModels(served, defaultModelId(c.env, models));
  return c.json({
    object: 'list',
    data: [
      ...[...models.values()].map(({ info }): z.infer<typeof ModelObjectSchema> => ({
        id: info.id,
        object: 'model',
        owned_by: 'open-tts',
        engine: info.engine,
        description: info.description,
        languages: info.languages,
        // Whatever the engine's own rate, clients get this one unless they ask for another.
        sample_rate: OUTPUT_SAMPLE_RATE,
        sample_rates: [...SAMPLE_RATES],
        capabilities: info.capabilities,
        default_voice: info.default_voice,
        version: info.version,
      })),
      ...aliases.map(({ alias, model }): z.infer<typeof ModelAliasSchema> => ({ id: alias, object: 'model', owned_by: 'open-tts', alias_of: model })),
    ],
  } satisfies z.infer<typeof ModelListSchema>);
});
