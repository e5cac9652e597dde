import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import { isLanguageCode, LANGUAGE_CODES } from '../../shared/languages.ts';
import { MAX_CLIP_BYTES } from '../../shared/protocol/worker-api.ts';
import { LanguageCodeSchema } from '../../shared/schemas/speech.ts';
import type { AppEnv } from '../env.ts';
import { bodyLimit, MAX_BODY_BYTES } from '../http/body-limit.ts';
import { readMultipartForm } from '../http/multipart-form.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { POOL_ERRORS } from '../pool/worker-pool.ts';
import { chooseModelErrors } from '../voices/choose-model.ts';
import { ACCEPTED_CLIP_FORMATS, cloneVoice, clipFileRefusal, clipTooLarge } from '../voices/clone-voice.ts';
import { SAVE_VOICE_ERRORS } from '../voices/save-voice.ts';
import { voiceObject, VoiceObjectSchema } from '../voices/voice-object.ts';
import { CLONE_ON_WORKER_ERRORS } from '../voices/worker-calls.ts';

/**
 * `POST /v1/voices`: clone a voice from a clip (multipart: `file`, `name`, `consent=true`, and
 * optionally `transcript`, `language`, `model`, `description`). A worker decodes and checks the
 * clip and computes the model's profile; the edge keeps the clip, the profile and who consented.
 * 201 with the new voice; 200 with the existing one when the account uploaded this clip before.
 */
export const createVoiceRoute = new Hono<AppEnv>();

const tooLarge = () => clipTooLarge('file');

const CloneFieldsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  transcript: z.string().trim().min(1).max(1000).optional(),
  language: LanguageCodeSchema.refine(isLanguageCode, `expected one of ${LANGUAGE_CODES.join(', ')}`).optional(),
  model: z.string().min(1).max(128).optional(),
  description: z.string().trim().min(1).max(1000).optional(),
});

/** The form as the API reference shows it: the fields above, the consent and the clip. */
const CloneFormSchema = CloneFieldsSchema.extend({
  consent: z.literal('true').describe('Confirms that the speaker agreed to have their voice cloned.'),
  file: z.file().describe(`The clip: 3 to 30 seconds of speech, ${ACCEPTED_CLIP_FORMATS}, up to ${MAX_CLIP_BYTES / 1024 / 1024} MB.`),
});

const CLONE_FORM_ERRORS = errorCatalogue({
  400: ['invalid_form', 'consent_required', 'invalid_parameter', 'missing_file'],
  413: ['file_too_large'],
  415: ['unsupported_media_type'],
});

async function readCloneForm(request: Request) {
  const { text, files } = await readMultipartForm(request, 'POST /v1/voices, with the clip as `file`,');
  if (text('consent') !== 'true') {
    throw invalidRequest('consent_required', 'Set consent=true to confirm the speaker agreed to have their voice cloned.', 'consent');
  }
  const parsed = CloneFieldsSchema.safeParse({
    name: text('name'),
    transcript: text('transcript'),
    language: text('language'),
    model: text('model'),
    description: text('description'),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.');
    throw invalidRequest('invalid_parameter', `${param}: ${issue.message}`, param);
  }
  const [file] = files('file');
  if (!file) throw invalidRequest('missing_file', 'Attach the clip as the `file` field.', 'file');
  const refusal = clipFileRefusal(file, 'file');
  if (refusal) throw refusal;
  return { fields: parsed.data, clip: new Uint8Array(await file.arrayBuffer()) };
}

const createVoiceDocs = describeRoute({
  tags: ['Voices'],
  operationId: 'cloneVoice',
  summary: 'Clone a voice',
  description: "Clones a voice from 3 to 30 s of speech. The id derives from the account and the clip: the same clip again answers 200 with the voice it already is.",
  security: apiKeySecurity('voices'),
  requestBody: requestBody(CloneFormSchema, 'multipart/form-data'),
  responses: {
    200: jsonResponse('The account uploaded this clip before: that voice.', VoiceObjectSchema),
    201: jsonResponse('The new voice.', VoiceObjectSchema),
    ...errorResponses(API_KEY_ERRORS, CLONE_FORM_ERRORS, POOL_ERRORS, chooseModelErrors('clone'), CLONE_ON_WORKER_ERRORS, SAVE_VOICE_ERRORS),
  },
});

createVoiceRoute.post(
  '/v1/voices',
  createVoiceDocs,
  apiKeyAuth('voices'),
  // Counts the body as it streams in: a larger one is refused before it is read whole.
  bodyLimit(MAX_BODY_BYTES.voiceClone, tooLarge),
  async (c) => {
    const { fields, clip } = await readCloneForm(c.req.raw);
    const key = c.get('apiKey');
    const maker = { accountId: key.account_id, keyId: key.id, requestId: c.get('requestId'), signal: c.req.raw.signal };
    const { row, created, models } = await cloneVoice(c.env, maker, clip, fields);
    return c.json(voiceObject(row, models), created ? 201 : 200);
  },
);
