import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { purgeBehind } from '../cache/purge.ts';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { CALLER_ERRORS, callerAuth } from '../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, errorResponses, jsonResponse } from '../openapi/index.ts';
import { POOL_ERRORS, WorkerPool } from '../pool/worker-pool.ts';
import { VOICE_NOT_FOUND_ERRORS } from '../voices/errors.ts';
import { deleteVoice, findVoice } from '../voices/voice-by-id.ts';
import { AnyVoiceSchema, voiceObject } from '../voices/voice-object.ts';

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
  const found = await findVoice(c.env, c.get('caller').accountId, c.req.param('id'), () => new WorkerPool(c.env).models());
  return c.json(found.preset ?? voiceObject(found.row, found.models));
});

voiceByIdRoute.delete('/v1/voices/:id', deleteVoiceDocs, apiKeyAuth('voices'), async (c) => {
  const id = c.req.param('id');
  await deleteVoice(c.env, c.get('apiKey').account_id, id);
  purgeBehind(c.env, c.executionCtx);
  return c.json({ id, object: 'voice.deleted', deleted: true } satisfies z.infer<typeof VoiceDeletedSchema>);
});
