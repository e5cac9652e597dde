import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../../../env.ts';
import { CALLER_ERRORS, callerAuth } from '../../../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, jsonResponse, queryParameters } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { POOL_ERRORS, WorkerPool } from '../../../pool/worker-pool.ts';
import { VOICE_TYPES } from '../../../storage/voice-index.ts';
import { type ListCursor, listVoices } from '../../../voices/list-voices.ts';
import { elevenLabsVoice, ElevenLabsVoiceSchema } from '../voices/voice-object.ts';

/** `GET /elevenlabs/v1/voices`: every voice at once, as ElevenLabs' `GetVoicesResponse`. */
export const elevenLabsVoicesRoute = new Hono<AppEnv>();

const QuerySchema = z.object({ show_legacy: z.string().optional().describe('Accepted; no voice is legacy.') });
export const GetVoicesResponseSchema = z.object({ voices: z.array(ElevenLabsVoiceSchema) }).meta({ id: 'ElevenLabsGetVoicesResponse' });

/** The account's voices are at most its `max_voices`: the pages are read through here, not by the client. */
const PAGE = 100;

const listVoicesDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsListVoices',
  summary: 'List all voices (ElevenLabs)',
  description:
    "As ElevenLabs' `GET /v1/voices`: the served models' presets (`premade`), then the account's clones (`cloned`) and designed voices (`generated`), oldest first, in one answer. `GET /elevenlabs/v2/voices` pages and searches them.",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  responses: { 200: jsonResponse('Every voice.', GetVoicesResponseSchema), ...elevenLabsErrorResponses(CALLER_ERRORS, POOL_ERRORS) },
});

elevenLabsVoicesRoute.get('/v1/voices', listVoicesDocs, queryParameters(QuerySchema), callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const models = await new WorkerPool(c.env).models();
  const accountId = c.get('caller').accountId;
  const voices: z.infer<typeof ElevenLabsVoiceSchema>[] = [];
  for (let cursor: ListCursor | undefined = { preset: 0 }; cursor; ) {
    const page = await listVoices(c.env, accountId, models, { presets: true, own: VOICE_TYPES }, cursor, PAGE);
    voices.push(...page.voices.map(elevenLabsVoice));
    cursor = page.next;
  }
  return c.json({ voices } satisfies z.infer<typeof GetVoicesResponseSchema>);
});
