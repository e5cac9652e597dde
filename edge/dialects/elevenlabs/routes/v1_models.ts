import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { MAX_INPUT_CHARACTERS } from '../../../../shared/schemas/speech.ts';
import { LANGUAGES, isLanguageCode } from '../../../../shared/languages.ts';
import type { ModelInfo } from '../../../../shared/schemas/catalog.ts';
import { edgeConfig } from '../../../config/edge-config.ts';
import type { AppEnv } from '../../../env.ts';
import { CALLER_ERRORS, callerAuth } from '../../../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, jsonResponse } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { POOL_ERRORS, WorkerPool } from '../../../pool/worker-pool.ts';
import { defaultModelId } from '../../../speech/resolve.ts';

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
  description:
    "The models the pool serves, as ElevenLabs' `GET /v1/models` lists its own, then ElevenLabs' model ids (`eleven_multilingual_v2`, ...), each described as the served model it stands for (`ELEVENLABS_MODELS`). Every one speaks (`can_do_text_to_speech`); 1 credit per character (`token_cost_factor` 1).",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  responses: { 200: jsonResponse('The models.', z.array(ElevenLabsModelSchema)), ...elevenLabsErrorResponses(CALLER_ERRORS, POOL_ERRORS) },
});

/** A served model in ElevenLabs' shape, under its own id or an ElevenLabs id that stands for it. */
const elevenLabsModel = (info: ModelInfo, id = info.id, description = info.description): ElevenLabsModel => ({
  model_id: id,
  name: id,
  description,
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
});

elevenLabsModelsRoute.get('/v1/models', listModelsDocs, callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const models = await new WorkerPool(c.env).models();
  const served = [...models.values()].map(({ info }) => elevenLabsModel(info));
  // ElevenLabs' own ids after them, each as the model it stands for now (ELEVENLABS_MODELS), so
  // a client that picks one of ElevenLabs' from the list finds it.
  const names = edgeConfig(c.env).elevenLabsModels.list([...models.keys()], defaultModelId(c.env, models));
  const named = names.flatMap(({ name, model }) => {
    const info = models.get(model)?.info;
    return info ? [elevenLabsModel(info, name, `Stands for ${model} on this server: ${info.description}`)] : [];
  });
  return c.json([...served, ...named]);
});
