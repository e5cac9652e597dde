import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { CALLER_ERRORS, callerAuth } from '../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, errorResponses, jsonResponse } from '../openapi/index.ts';
import { POOL_ERRORS, WorkerPool } from '../pool/worker-pool.ts';
import { R2VoiceClips, clipKey } from '../storage/voice-clips.ts';
import { D1VoiceIndex } from '../storage/voice-index.ts';
import { KvVoiceRecords } from '../storage/voice-records.ts';
import { VOICE_NOT_FOUND_ERRORS, voiceNotFound } from '../voices/errors.ts';
import { AnyVoiceSchema, presetObject, voiceObject } from '../voices/voice-object.ts';

/**
 * `GET /v1/voices/{id}`: one voice (a preset, or the account's own, with the models that have its
 * profile). `DELETE /v1/voices/{id}`: deletes the account's voice, its profiles and its clip.
 * Another account's voice is 404 either way, exactly like one that never existed.
 */
export const voiceByIdRoute = new Hono<AppEnv>();

const VOICE_ID = { in: 'path', name: 'id', required: true, schema: { type: 'string' }, description: 'A preset id, or a `voice_…` id of the account.' } as const;

const VoiceDeletedSchema = z.object({ id: z.string(), object: z.literal('voice.deleted'), deleted: z.literal(true) });

const getVoiceDocs = describeRoute({
  tags: ['Voices'],
  operationId: 'getVoice',
  summary: 'Get a voice',
  description: "A preset, or one of the account's own voices with the models that have its profile.",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  parameters: [VOICE_ID],
  responses: { 200: jsonResponse('The voice.', AnyVoiceSchema), ...errorResponses(CALLER_ERRORS, POOL_ERRORS, VOICE_NOT_FOUND_ERRORS) },
});

const deleteVoiceDocs = describeRoute({
  tags: ['Voices'],
  operationId: 'deleteVoice',
  summary: 'Delete a voice',
  description: "Deletes one of the account's own voices, its profiles and its clip. Presets cannot be deleted (404).",
  security: apiKeySecurity('voices'),
  parameters: [VOICE_ID],
  responses: { 200: jsonResponse('The voice is deleted.', VoiceDeletedSchema), ...errorResponses(API_KEY_ERRORS, VOICE_NOT_FOUND_ERRORS) },
});

voiceByIdRoute.get('/v1/voices/:id', getVoiceDocs, callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const id = c.req.param('id');
  const accountId = c.get('caller').accountId;
  if (!isCustomVoiceId(id)) {
    const models = await new WorkerPool(c.env).models();
    for (const { info } of models.values()) {
      const preset = info.voices.find((voice) => voice.id === id);
      if (preset) return c.json(presetObject(preset, info.id));
    }
    throw voiceNotFound(id);
  }
  const entry = await accountObject(c.env, accountId).voice(id);
  const row = entry ? await new D1VoiceIndex(c.env.DB).get(accountId, id) : null;
  if (!entry || !row) throw voiceNotFound(id);
  const record = await new KvVoiceRecords(c.env.VOICES).get(id, entry.version);
  return c.json(voiceObject(row, Object.keys(record?.profiles ?? {})));
});

voiceByIdRoute.delete('/v1/voices/:id', deleteVoiceDocs, apiKeyAuth('voices'), async (c) => {
  const id = c.req.param('id');
  const accountId = c.get('apiKey').account_id;
  const account = accountObject(c.env, accountId);
  const entry = isCustomVoiceId(id) ? await account.voice(id) : null;
  if (!entry) throw voiceNotFound(id);
  // The account's object first: from this moment no request can use the voice, on any isolate.
  await account.deleteVoice(id);
  await Promise.all([
    new D1VoiceIndex(c.env.DB).delete(accountId, id),
    new KvVoiceRecords(c.env.VOICES).delete(id, entry.version),
    new R2VoiceClips(c.env.VOICE_CLIPS).delete(clipKey(accountId, id)),
  ]);
  return c.json({ id, object: 'voice.deleted', deleted: true } satisfies z.infer<typeof VoiceDeletedSchema>);
});
