import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { CALLER_ERRORS, callerAuth } from '../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, errorCatalogue, errorResponses, jsonResponse, queryParameters } from '../openapi/index.ts';
import { POOL_ERRORS, WorkerPool } from '../pool/worker-pool.ts';
import { VOICE_TYPES } from '../storage/voice-index.ts';
import { decodeListCursor, encodeListCursor, type ListFilter, listVoices } from '../voices/list-voices.ts';
import { type AnyVoice, AnyVoiceSchema, voiceObject } from '../voices/voice-object.ts';

/**
 * `GET /v1/voices`: the models' preset voices, then the account's own voices (oldest first),
 * a page at a time: `limit` (1 to 100, default 100) and the `next_cursor` of the previous page
 * as `cursor`. Filters: `model` (voices that model can speak with), `language`, `type`
 * (`preset`, `clone`, `design`).
 */
export const voicesRoute = new Hono<AppEnv>();

const QuerySchema = z.object({
  model: z.string().min(1).optional().describe('Only voices this model can speak with.'),
  language: z
    .string()
    .min(2)
    .transform((code) => code.toLowerCase())
    .optional()
    .describe('Only voices in this language.'),
  type: z.enum(['preset', 'clone', 'design']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(100),
  cursor: z.string().optional().describe("The previous page's `next_cursor`."),
});

const VoiceListSchema = z.object({
  object: z.literal('list'),
  data: z.array(AnyVoiceSchema),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
});

const listVoicesDocs = describeRoute({
  tags: ['Voices'],
  operationId: 'listVoices',
  summary: 'List voices',
  description: "The models' preset voices, then the account's own voices (oldest first), a page at a time.",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  responses: {
    200: jsonResponse('A page of voices.', VoiceListSchema),
    ...errorResponses(CALLER_ERRORS, POOL_ERRORS, errorCatalogue({ 400: ['invalid_parameter', 'invalid_cursor'] })),
  },
});

voicesRoute.get('/v1/voices', listVoicesDocs, queryParameters(QuerySchema), callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const parsed = QuerySchema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.join('.');
    throw invalidRequest('invalid_parameter', `${param}: ${issue.message}`, param);
  }
  const query = parsed.data;
  const filter: ListFilter = {
    presets: query.type === undefined || query.type === 'preset',
    own: query.type === undefined ? VOICE_TYPES : query.type === 'preset' ? [] : [query.type],
    ...(query.model ? { model: query.model } : {}),
    ...(query.language ? { languages: [query.language] } : {}),
  };
  const cursor = decodeListCursor(query.cursor, 'cursor', 'next_cursor');
  const models = await new WorkerPool(c.env).models();
  const { voices, next } = await listVoices(c.env, c.get('caller').accountId, models, filter, cursor, query.limit);
  const data: AnyVoice[] = voices.map(({ preset, row }) => preset ?? voiceObject(row));
  return c.json({ object: 'list', data, has_more: next !== undefined, next_cursor: next ? encodeListCursor(next) : null } satisfies z.infer<typeof VoiceListSchema>);
});
