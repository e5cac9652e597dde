import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { ApiError, invalidRequest } from '../../../../shared/errors.ts';
import { LANGUAGE_CODES, type LanguageCode } from '../../../../shared/languages.ts';
import type { AppEnv } from '../../../env.ts';
import { JSON_BODY_ERRORS, readJsonBody } from '../../../http/json-body.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../../../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, jsonResponse, queryParameters, requestBody } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { POOL_ERRORS } from '../../../pool/worker-pool.ts';
import { detectLanguages } from '../../../speech/language-detection.ts';
import { KvVoicePreviews, PREVIEW_TTL_SECONDS } from '../../../storage/voice-previews.ts';
import { chooseModelErrors } from '../../../voices/choose-model.ts';
import { type DesignInput, designVoice, planDesign } from '../../../voices/design-voice.ts';
import { SAVE_VOICE_ERRORS, saveVoice } from '../../../voices/save-voice.ts';
import { DESIGN_ON_WORKER_ERRORS } from '../../../voices/worker-calls.ts';
import { elevenLabsOwnVoice, ElevenLabsVoiceSchema } from '../voices/voice-object.ts';

/**
 * ElevenLabs' voice design in two steps, on our one design core:
 * - `POST /elevenlabs/v1/text-to-voice/design` (and the older `/create-previews`) designs ONE
 *   voice on a model that designs voices and answers it as a preview. The designed voice (its
 *   profile and preview clip) is kept pending, unsaved and uncharged, for a day; its
 *   `generated_voice_id` is the id it will have once saved.
 * - `POST /elevenlabs/v1/text-to-voice` saves a pending preview as the account's voice, exactly as
 *   heard (nothing is designed again), with the name and description given: the same voice
 *   `POST /v1/voices/design` makes, in the same store, charged the same.
 */
export const elevenLabsTextToVoiceRoute = new Hono<AppEnv>();

/** The worker speaks at most this much of a preview. */
const MAX_PREVIEW_TEXT = 500;

/** ElevenLabs' design models (`model_id`): each means our best model that designs voices. */
const isElevenLabsDesignModel = (id: string) => id.startsWith('eleven_');

const DesignSchema = z.object({
  voice_description: z.string().trim().min(1).max(1000).describe('The voice, in words.'),
  model_id: z.string().min(1).max(128).optional().describe("One of our models that designs voices; ElevenLabs' (`eleven_…`) mean the best one served."),
  text: z.string().trim().min(1).max(MAX_PREVIEW_TEXT).optional().describe(`What the preview says, up to ${MAX_PREVIEW_TEXT} characters; its language is the voice's. Default: a sentence in English.`),
  auto_generate_text: z.boolean().optional().describe('Accepted: without `text`, the preview says a sentence of ours.'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  reference_audio_base64: z.string().optional().describe('Not supported: refused with 400 (clone a voice from audio with `POST /elevenlabs/v1/voices/add`).'),
  loudness: z.number().optional().describe('Accepted and ignored.'),
  quality: z.number().optional().describe('Accepted and ignored.'),
  guidance_scale: z.number().optional().describe('Accepted and ignored.'),
  should_enhance: z.boolean().optional().describe('Accepted and ignored: the description is used as written.'),
  stream_previews: z.boolean().optional().describe('Accepted and ignored: the preview audio is always in the answer.'),
  prompt_strength: z.number().optional().describe('Accepted and ignored.'),
  remixing_session_id: z.string().optional().describe('Accepted and ignored.'),
  remixing_session_iteration_id: z.string().optional().describe('Accepted and ignored.'),
});

const DesignQuerySchema = z.object({ output_format: z.string().optional().describe('Accepted and ignored: previews are WAV (`media_type` says so).') });

const PreviewsSchema = z
  .object({
    previews: z.array(
      z.object({
        audio_base_64: z.string().describe('The preview, base64 of a 16-bit mono WAV.'),
        generated_voice_id: z.string().describe('Save it with `POST /elevenlabs/v1/text-to-voice`: the voice keeps this id.'),
        media_type: z.literal('audio/wav'),
        duration_secs: z.number(),
        language: z.string(),
      }),
    ),
    text: z.string().describe('What the preview says.'),
  })
  .meta({ id: 'ElevenLabsVoiceDesignPreviews' });

const SaveSchema = z.object({
  voice_name: z.string().trim().min(1).max(100),
  voice_description: z.string().trim().min(1).max(1000).describe("The voice's description from now on."),
  generated_voice_id: z.string().min(1).max(128).describe('A preview\'s `generated_voice_id`, within a day of its design.'),
  labels: z.record(z.string(), z.string().nullable()).optional().describe('Accepted; a `language` label is not applied (the design decided the language).'),
  played_not_selected_voice_ids: z.array(z.string()).optional().describe('Accepted and ignored.'),
});

const previewNotFound = (id: string) =>
  new ApiError(404, 'not_found_error', 'voice_not_found', `No voice preview "${id}" to save: design one with POST /v1/text-to-voice/design (previews are kept for ${PREVIEW_TTL_SECONDS / 3600} hours).`, {
    param: 'generated_voice_id',
  });

const DESIGN_ERRORS = [API_KEY_ERRORS, JSON_BODY_ERRORS, POOL_ERRORS, chooseModelErrors('design'), DESIGN_ON_WORKER_ERRORS, errorCatalogue({ 403: ['voice_quota_exceeded'] })] as const;

const designDocs = (operationId: string, path: string) =>
  describeRoute({
    tags: ['ElevenLabs'],
    operationId,
    summary: `Design a voice preview (ElevenLabs${path.endsWith('create-previews') ? ', older path' : ''})`,
    description: `As ElevenLabs' \`POST ${path}\`: designs one voice from a description on a model that designs voices, and answers it as one preview (WAV). It is kept, unsaved and uncharged, for ${PREVIEW_TTL_SECONDS / 3600} hours; \`POST /elevenlabs/v1/text-to-voice\` saves it.`,
    security: apiKeySecurity('voices'),
    requestBody: requestBody(DesignSchema),
    responses: { 200: jsonResponse('The preview.', PreviewsSchema), ...elevenLabsErrorResponses(...DESIGN_ERRORS) },
  });

const saveDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsSaveDesignedVoice',
  summary: 'Save a voice preview (ElevenLabs)',
  description: "As ElevenLabs' `POST /v1/text-to-voice`: saves a designed preview as the account's voice, exactly as heard, charged as any designed voice.",
  security: apiKeySecurity('voices'),
  requestBody: requestBody(SaveSchema),
  responses: {
    200: jsonResponse('The voice.', ElevenLabsVoiceSchema),
    ...elevenLabsErrorResponses(API_KEY_ERRORS, JSON_BODY_ERRORS, errorCatalogue({ 404: ['voice_not_found'] }), SAVE_VOICE_ERRORS),
  },
});

for (const [path, operationId] of [
  ['/v1/text-to-voice/design', 'elevenLabsDesignVoice'],
  ['/v1/text-to-voice/create-previews', 'elevenLabsCreateVoicePreviews'],
] as const) {
  elevenLabsTextToVoiceRoute.post(path, designDocs(operationId, path), queryParameters(DesignQuerySchema), apiKeyAuth('voices'), async (c) => {
    const request = await readJsonBody(c, DesignSchema);
    if (request.reference_audio_base64 !== undefined) {
      throw invalidRequest('invalid_parameter', 'reference_audio_base64: designing from reference audio is not supported; clone the voice with POST /v1/voices/add.', 'reference_audio_base64');
    }
    const key = c.get('apiKey');
    const model = request.model_id && !isElevenLabsDesignModel(request.model_id) ? request.model_id : undefined;
    // ElevenLabs' designs have no language: the preview's text says it (English without one).
    const language = (request.text ? detectLanguages(request.text, { candidates: LANGUAGE_CODES, fallback: 'en' }).detected[0]! : 'en') as LanguageCode;
    const input: DesignInput = { description: request.voice_description, language, model, previewText: request.text, seed: request.seed };

    const plan = await planDesign(c.env, key.account_id, input);
    const maker = { accountId: key.account_id, keyId: key.id, requestId: c.get('requestId'), signal: c.req.raw.signal };
    const { voice, result } = await designVoice(c.env, maker, plan, input);
    const audio = result.reference.audio;
    if (!audio) throw new ApiError(502, 'internal_error', 'worker_error', 'The design worker answered no preview audio.');
    await new KvVoicePreviews(c.env.VOICES).put({ voice, result });
    return c.json({
      previews: [{ audio_base_64: audio.base64, generated_voice_id: voice.id, media_type: 'audio/wav', duration_secs: audio.duration_seconds, language }],
      text: plan.previewText,
    } satisfies z.infer<typeof PreviewsSchema>);
  });
}

elevenLabsTextToVoiceRoute.post('/v1/text-to-voice', saveDocs, apiKeyAuth('voices'), async (c) => {
  const request = await readJsonBody(c, SaveSchema);
  const key = c.get('apiKey');
  const preview = await new KvVoicePreviews(c.env.VOICES).get(key.account_id, request.generated_voice_id);
  if (!preview) throw previewNotFound(request.generated_voice_id);
  const voice = { ...preview.voice, name: request.voice_name, description: request.voice_description };
  const { row } = await saveVoice(c.env, voice, preview.result, { requestId: c.get('requestId'), keyId: key.id });
  return c.json(elevenLabsOwnVoice(row, [row.model]));
});
