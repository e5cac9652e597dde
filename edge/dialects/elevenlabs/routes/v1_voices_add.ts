import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { ApiError, invalidRequest } from '../../../../shared/errors.ts';
import { isLanguageCode, LANGUAGE_CODES, LANGUAGES } from '../../../../shared/languages.ts';
import { MAX_CLIP_BYTES } from '../../../../shared/protocol/worker-api.ts';
import { CLIP_ERROR_CODES } from '../../../../shared/protocol/worker-errors.ts';
import type { AppEnv } from '../../../env.ts';
import { bodyLimit, MAX_BODY_BYTES } from '../../../http/body-limit.ts';
import { readMultipartForm } from '../../../http/multipart-form.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../../../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, jsonResponse, requestBody } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { POOL_ERRORS } from '../../../pool/worker-pool.ts';
import { chooseModelErrors } from '../../../voices/choose-model.ts';
import { ACCEPTED_CLIP_FORMATS, clipFileRefusal, cloneVoice } from '../../../voices/clone-voice.ts';
import { SAVE_VOICE_ERRORS } from '../../../voices/save-voice.ts';
import { CLONE_ON_WORKER_ERRORS } from '../../../voices/worker-calls.ts';

/**
 * `POST /elevenlabs/v1/voices/add`: ElevenLabs' instant voice cloning on our clone core. A voice
 * is cloned from one clip: of the files, the first that makes a voice (in the order sent; a file
 * that is not usable audio, too short, too long or without enough speech is passed over). The
 * request itself is taken as the consent the OpenAI-shaped route asks for (`consent=true`):
 * ElevenLabs' API has no such field, and its terms make the uploader vouch for it. The voice
 * records the key and the time, as any clone does.
 */
export const elevenLabsAddVoiceRoute = new Hono<AppEnv>();

const MAX_FILES = 25;

/** A worker's refusals of the clip itself: the next file is tried. */
const CLIP_REFUSALS = new Set<string>([...Object.values(CLIP_ERROR_CODES).flat(), 'reference_too_short', 'unsupported_media_type']);

const FieldsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().min(1).max(1000).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const AddVoiceFormSchema = FieldsSchema.extend({
  files: z.array(z.file()).min(1).max(MAX_FILES).describe(`Clips of the speaker: 3 to 30 seconds of speech each, ${ACCEPTED_CLIP_FORMATS}; ${MAX_CLIP_BYTES / 1024 / 1024} MB in all. The first that makes a voice is used.`),
  labels: z.string().optional().describe('JSON object of strings. `language` (a code such as `en`, or its English name) becomes the voice\'s language; other labels are accepted and not kept.'),
  remove_background_noise: z.enum(['true', 'false']).optional().describe('Accepted and ignored: clips are used as sent.'),
}).meta({ id: 'ElevenLabsAddVoiceForm' });

const AddVoiceResponseSchema = z.object({ voice_id: z.string(), requires_verification: z.literal(false) }).meta({ id: 'ElevenLabsAddVoiceResponse' });

const FORM_ERRORS = errorCatalogue({
  400: ['invalid_form', 'invalid_parameter', 'missing_file'],
  413: ['file_too_large'],
  415: ['unsupported_media_type'],
});

const tooLarge = () =>
  new ApiError(413, 'invalid_request_error', 'file_too_large', `The files are over ${MAX_CLIP_BYTES / 1024 / 1024} MB together; 3 to 30 seconds of speech is all a voice needs.`, { param: 'files' });

/** A language label as a language code: `en`, or `English`. */
function languageOf(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const code = label.trim().toLowerCase();
  if (isLanguageCode(code)) return code;
  return LANGUAGE_CODES.find((known) => LANGUAGES[known].toLowerCase() === code);
}

async function readForm(request: Request) {
  const { text, files: filesOf } = await readMultipartForm(request, 'POST /v1/voices/add, with the clips as `files`,');
  let labels: unknown;
  try {
    labels = text('labels') === undefined ? undefined : JSON.parse(text('labels')!);
  } catch {
    throw invalidRequest('invalid_parameter', 'labels: expected a JSON object of strings.', 'labels');
  }
  const parsed = FieldsSchema.safeParse({ name: text('name'), description: text('description'), labels });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = String(issue.path[0]);
    throw invalidRequest('invalid_parameter', `${param}: ${issue.message}`, param);
  }
  const files = filesOf('files');
  if (files.length === 0) throw invalidRequest('missing_file', 'Attach at least one clip as `files`.', 'files');
  if (files.length > MAX_FILES) throw invalidRequest('invalid_parameter', `files: at most ${MAX_FILES} clips.`, 'files');
  return { fields: parsed.data, files };
}

/** A refusal of one of several files, saying which. */
const ofFile = (error: ApiError, index: number, file: File) =>
  new ApiError(error.status, error.type, error.code, `files[${index}]${file.name ? ` (${file.name})` : ''}: ${error.message}`, { param: 'files' });

const addVoiceDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsAddVoice',
  summary: 'Clone a voice (ElevenLabs)',
  description:
    "As ElevenLabs' `POST /v1/voices/add` (instant voice cloning): clones a voice from the first of the files that makes one, as `POST /v1/voices` does (the same voice, in the same store). The request is taken as the speaker's consent. The same clip again answers the voice it already is.",
  security: apiKeySecurity('voices'),
  requestBody: requestBody(AddVoiceFormSchema, 'multipart/form-data'),
  responses: {
    200: jsonResponse('The voice.', AddVoiceResponseSchema),
    ...elevenLabsErrorResponses(API_KEY_ERRORS, FORM_ERRORS, POOL_ERRORS, chooseModelErrors('clone'), CLONE_ON_WORKER_ERRORS, SAVE_VOICE_ERRORS),
  },
});

elevenLabsAddVoiceRoute.post('/v1/voices/add', addVoiceDocs, apiKeyAuth('voices'), bodyLimit(MAX_BODY_BYTES.voiceClone, tooLarge), async (c) => {
  const { fields, files } = await readForm(c.req.raw);
  const key = c.get('apiKey');
  const maker = { accountId: key.account_id, keyId: key.id, requestId: c.get('requestId'), signal: c.req.raw.signal };
  const language = languageOf(fields.labels?.language);
  const clone = { name: fields.name, description: fields.description, language };
  let refused: ApiError | undefined;
  for (const [index, file] of files.entries()) {
    const refusal = clipFileRefusal(file, 'files');
    if (refusal) {
      refused ??= ofFile(refusal, index, file);
      continue;
    }
    try {
      const { row } = await cloneVoice(c.env, maker, new Uint8Array(await file.arrayBuffer()), clone);
      return c.json({ voice_id: row.id, requires_verification: false } satisfies z.infer<typeof AddVoiceResponseSchema>);
    } catch (error) {
      if (!(error instanceof ApiError && CLIP_REFUSALS.has(error.code))) throw error;
      refused ??= ofFile(error, index, file);
    }
  }
  throw refused!;
});
