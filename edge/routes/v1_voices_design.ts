import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { isLanguageCode, LANGUAGE_CODES, type LanguageCode } from '../../shared/languages.ts';
import { LanguageCodeSchema } from '../../shared/schemas/speech.ts';
import type { AppEnv } from '../env.ts';
import { JSON_BODY_ERRORS, readJsonBody } from '../http/json-body.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { POOL_ERRORS } from '../pool/worker-pool.ts';
import { chooseModelErrors } from '../voices/choose-model.ts';
import { type DesignInput, designVoice, planDesign } from '../voices/design-voice.ts';
import { SAVE_VOICE_ERRORS, saveVoice } from '../voices/save-voice.ts';
import { voiceObject, VoiceObjectSchema } from '../voices/voice-object.ts';
import { DESIGN_ON_WORKER_ERRORS } from '../voices/worker-calls.ts';

/**
 * `POST /v1/voices/design`: a voice from a description ("a calm, low male narrator"). A worker of
 * a model that designs voices makes the profile and speaks a preview; the preview is kept as the
 * voice's reference clip, so models that clone can speak with the voice too (design, then clone).
 * 201 with the voice (and the preview as base64 WAV with `preview: true`).
 */
export const designVoiceRoute = new Hono<AppEnv>();

const DesignSchema = z.object({
  description: z.string().trim().min(1).max(1000).describe('The voice, in words: "a calm, low male narrator".'),
  name: z.string().trim().min(1).max(100).optional().describe('Default: the start of the description.'),
  language: LanguageCodeSchema.refine(isLanguageCode, `expected one of ${LANGUAGE_CODES.join(', ')}`).default('en'),
  model: z.string().min(1).max(128).optional().describe('Default: the best model that designs voices.'),
  preview_text: z.string().trim().min(1).max(300).optional().describe("What the preview says; default: a sentence in the voice's language."),
  preview: z.boolean().default(false).describe('Return the preview as base64 WAV.'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});

const DesignedVoiceSchema = VoiceObjectSchema.extend({
  preview: z
    .object({ format: z.literal('wav'), sample_rate: z.number().int(), duration_seconds: z.number(), audio: z.string().describe('Base64.') })
    .optional()
    .describe('With `preview: true`: the preview, which is also the clip models that clone use.'),
}).meta({ id: 'DesignedVoice' });

const designVoiceDocs = describeRoute({
  tags: ['Voices'],
  operationId: 'designVoice',
  summary: 'Design a voice',
  description: 'Makes a voice from a description, on a model that designs voices. The same design again is the same voice (200).',
  security: apiKeySecurity('voices'),
  requestBody: requestBody(DesignSchema),
  responses: {
    200: jsonResponse('The account designed this voice before: that voice.', DesignedVoiceSchema),
    201: jsonResponse('The new voice.', DesignedVoiceSchema),
    ...errorResponses(API_KEY_ERRORS, JSON_BODY_ERRORS, POOL_ERRORS, chooseModelErrors('design'), DESIGN_ON_WORKER_ERRORS, SAVE_VOICE_ERRORS),
  },
});

designVoiceRoute.post('/v1/voices/design', designVoiceDocs, apiKeyAuth('voices'), async (c) => {
  const request = await readJsonBody(c, DesignSchema);
  const key = c.get('apiKey');
  const input: DesignInput = {
    description: request.description,
    name: request.name,
    language: request.language as LanguageCode,
    model: request.model,
    previewText: request.preview_text,
    seed: request.seed,
  };
  const plan = await planDesign(c.env, key.account_id, input);
  // The same design again is the same voice (its preview is made anew only when asked for).
  if (plan.existing && !request.preview) return c.json(voiceObject(plan.existing), 200);

  const requestId = c.get('requestId');
  const { voice, result } = await designVoice(c.env, { accountId: key.account_id, keyId: key.id, requestId, signal: c.req.raw.signal }, plan, input);
  const { row, created } = await saveVoice(c.env, voice, result, { requestId, keyId: key.id });
  const audio = result.reference.audio;
  const preview = request.preview && audio ? { preview: { format: 'wav' as const, sample_rate: audio.sample_rate, duration_seconds: audio.duration_seconds, audio: audio.base64 } } : {};
  return c.json({ ...voiceObject(row, [plan.model.info.id]), ...preview } satisfies z.infer<typeof DesignedVoiceSchema>, created ? 201 : 200);
});
