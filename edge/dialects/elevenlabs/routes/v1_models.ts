import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { MAX_INPUT_CHARACTERS } from '../../../../shared/schemas/speech.ts';
import { LANGUAGES, isLanguageCode } from '../../../../shared/languages.ts';
import type { AppEnv } from '../../../env.ts';
import { CALLER_ERRORS, callerAuth } from '../../../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, errorResponses, jsonResponse } from '../../../openapi/index.ts';
import { POOL_ERRORS, WorkerPool } from '../../../pool/worker-pool.ts';

/** `GET /elevenlabs/v1/models`: the models the pool serves, in ElevenLabs' shape. */
export const elevenLabsModelsRoute = new Hono<AppEnv>();

const LanguageSchema = z.object({ language_id: z.string(), name: z.string() });
export const ElevenLabsModelSchema = z
  .object({
    model_id: z.string(),
    name: z.string(),
    description: z.string(),
    can_do_text_to_speech: z.boolean(),
    can_do_voice_conversion: z.boolean(),
    can_be_finetuned: z.boolean(),
    can_use_style: z.boolean(),
    can_use_speaker_boost: z.boolean(),
    serves_pro_voices: z.boolean(),
    requires_alpha_access: z.boolean(),
    token_cost_factor: z.number(),
    max_characters_request_free_user: z.number().int(),
    max_characters_request_subscribed_user: z.number().int(),
    maximum_text_length_per_request: z.number().int(),
    languages: z.array(LanguageSchema),
  })
  .meta({ id: 'ElevenLabsModel' });
type ElevenLabsModel = z.infer<typeof ElevenLabsModelSchema>;

const listModelsDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsListModels',
  summary: 'List models (ElevenLabs)',
  description: "The models the pool serves, as ElevenLabs' `GET /v1/models` lists its own. Every one speaks (`can_do_text_to_speech`); 1 credit per character (`token_cost_factor` 1).",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  responses: { 200: jsonResponse('The models.', z.array(ElevenLabsModelSchema)), ...errorResponses(CALLER_ERRORS, POOL_ERRORS) },
});

elevenLabsModelsRoute.get('/v1/models', listModelsDocs, callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const models = await new WorkerPool(c.env).models();
  return c.json(
    [...models.values()].map(({ info }): ElevenLabsModel => ({
      model_id: info.id,
      name: info.id,
      description: info.description,
      can_do_text_to_speech: true,
      can_do_voice_conversion: false,
      can_be_finetuned: false,
      can_use_style: info.capabilities.instructions,
      can_use_speaker_boost: false,
      serves_pro_voices: false,
      requires_alpha_access: false,
      token_cost_factor: 1,
      max_characters_request_free_user: MAX_INPUT_CHARACTERS,
      max_characters_request_subscribed_user: MAX_INPUT_CHARACTERS,
      maximum_text_length_per_request: MAX_INPUT_CHARACTERS,
      languages: info.languages.map((code) => ({ language_id: code, name: isLanguageCode(code) ? LANGUAGES[code] : code })),
    })),
  );
});
