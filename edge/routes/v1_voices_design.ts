import { Hono } from 'hono';
import { z } from 'zod';
import { isLanguageCode, LANGUAGE_CODES } from '../../shared/languages.ts';
import { LanguageCodeSchema } from '../../shared/schemas/speech.ts';
import type { AppEnv } from '../env.ts';
import { readJsonBody } from '../http/json-body.ts';
import { apiKeyAuth } from '../middleware/api-key-auth.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { chooseVoiceModel } from '../voices/choose-model.ts';
import { PREVIEW_TEXT } from '../voices/preview-text.ts';
import { existingVoiceOrRoom, saveVoice } from '../voices/save-voice.ts';
import { voiceIdFor } from '../voices/voice-id.ts';
import { voiceObject } from '../voices/voice-object.ts';
import { designOnWorker } from '../voices/worker-calls.ts';

/**
 * `POST /v1/voices/design`: a voice from a description ("a calm, low male narrator"). A worker of
 * a model that designs voices makes the profile and speaks a preview; the preview is kept as the
 * voice's reference clip, so models that clone can speak with the voice too (design, then clone).
 * 201 with the voice (and the preview as base64 WAV with `preview: true`).
 */
export const designVoiceRoute = new Hono<AppEnv>();

const DesignSchema = z.object({
  description: z.string().trim().min(1).max(1000),
  name: z.string().trim().min(1).max(100).optional(),
  language: LanguageCodeSchema.refine(isLanguageCode, `expected one of ${LANGUAGE_CODES.join(', ')}`).default('en'),
  model: z.string().min(1).max(128).optional(),
  preview_text: z.string().trim().min(1).max(300).optional(),
  preview: z.boolean().default(false),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
});

designVoiceRoute.post('/v1/voices/design', apiKeyAuth('voices'), async (c) => {
  const request = await readJsonBody(c, DesignSchema);
  const key = c.get('apiKey');
  const pool = new WorkerPool(c.env);
  const model = chooseVoiceModel('design', request.model, await pool.models(), c.env.DEFAULT_MODEL);
  const language = request.language as keyof typeof PREVIEW_TEXT;
  const previewText = request.preview_text ?? PREVIEW_TEXT[language];
  const id = await voiceIdFor(key.account_id, `design:${JSON.stringify([model.info.id, language, request.description, previewText, request.seed ?? 0])}`);
  // The same design again is the same voice (its preview is made anew only when asked for).
  const existing = await existingVoiceOrRoom(c.env, key.account_id, id);
  if (existing && !request.preview) return c.json(voiceObject(existing), 200);

  const requestId = c.get('requestId');
  const result = await designOnWorker(
    pool,
    model,
    {
      request_id: requestId,
      model: model.info.id,
      description: request.description,
      language,
      preview_text: previewText,
      ...(request.seed === undefined ? {} : { seed: request.seed }),
    },
    c.req.raw.signal,
  );
  const { row, created } = await saveVoice(
    c.env,
    {
      id,
      account_id: key.account_id,
      type: 'design',
      name: request.name ?? request.description.slice(0, 60),
      language,
      description: request.description,
      transcript: previewText,
      model: model.info.id,
      clip_sha256: null,
      consent_key_id: null,
      consent_at: null,
    },
    result,
    { requestId, keyId: key.id },
  );
  const audio = result.reference.audio;
  const preview = request.preview && audio ? { preview: { format: 'wav', sample_rate: audio.sample_rate, duration_seconds: audio.duration_seconds, audio: audio.base64 } } : {};
  return c.json({ ...voiceObject(row, [model.info.id]), ...preview }, created ? 201 : 200);
});
