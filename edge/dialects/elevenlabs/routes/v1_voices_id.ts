import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { purgeBehind } from '../../../cache/purge.ts';
import type { AppEnv } from '../../../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../../../middleware/api-key-auth.ts';
import { CALLER_ERRORS, callerAuth } from '../../../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, jsonResponse } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { POOL_ERRORS, WorkerPool } from '../../../pool/worker-pool.ts';
import { VOICE_NOT_FOUND_ERRORS } from '../../../voices/errors.ts';
import { deleteVoice, findVoice } from '../../../voices/voice-by-id.ts';
import { elevenLabsVoice, ElevenLabsVoiceSchema } from '../voices/voice-object.ts';

/**
 * `GET /elevenlabs/v1/voices/{voice_id}`: one voice in ElevenLabs' shape. `DELETE` deletes one of
 * the account's voices, as `DELETE /v1/voices/{id}` does (gone from both dialects at once).
 */
export const elevenLabsVoiceByIdRoute = new Hono<AppEnv>();

const VOICE_ID = { in: 'path', name: 'voice_id', required: true, schema: { type: 'string' }, description: 'A preset id, or a `voice_…` id of the account.' } as const;
const DeletedSchema = z.object({ status: z.literal('ok') }).meta({ id: 'ElevenLabsDeleteVoiceResponse' });

const getVoiceDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsGetVoice',
  summary: 'Get a voice (ElevenLabs)',
  description: "As ElevenLabs' `GET /v1/voices/{voice_id}`: a preset, or one of the account's own voices. `with_settings` is accepted; settings are always included.",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  parameters: [VOICE_ID],
  responses: { 200: jsonResponse('The voice.', ElevenLabsVoiceSchema), ...elevenLabsErrorResponses(CALLER_ERRORS, POOL_ERRORS, VOICE_NOT_FOUND_ERRORS) },
});

const deleteVoiceDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsDeleteVoice',
  summary: 'Delete a voice (ElevenLabs)',
  description: "As ElevenLabs' `DELETE /v1/voices/{voice_id}`: deletes one of the account's voices, its profiles and its clip. Presets cannot be deleted (404).",
  security: apiKeySecurity('voices'),
  parameters: [VOICE_ID],
  responses: { 200: jsonResponse('The voice is deleted.', DeletedSchema), ...elevenLabsErrorResponses(API_KEY_ERRORS, VOICE_NOT_FOUND_ERRORS) },
});

elevenLabsVoiceByIdRoute.get('/v1/voices/:voice_id', getVoiceDocs, callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const found = await findVoice(c.env, c.get('caller').accountId, c.req.param('voice_id'), () => new WorkerPool(c.env).models());
  return c.json(elevenLabsVoice(found));
});

elevenLabsVoiceByIdRoute.delete('/v1/voices/:voice_id', deleteVoiceDocs, apiKeyAuth('voices'), async (c) => {
  await deleteVoice(c.env, c.get('apiKey').account_id, c.req.param('voice_id'));
  purgeBehind(c.env, c.executionCtx);
  return c.json({ status: 'ok' } satisfies z.infer<typeof DeletedSchema>);
});
