import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { CALLER_ERRORS, callerAuth } from '../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, errorCatalogue, errorResponses, jsonResponse, queryParameters } from '../openapi/index.ts';
import { POOL_ERRORS, WorkerPool } from '../pool/worker-pool.ts';
import { D1VoiceIndex, type VoiceCursor } from '../storage/voice-index.ts';
import { type AnyVoice, AnyVoiceSchema, presetObject, voiceObject } from '../voices/voice-object.ts';

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

/** Where the next page starts: an index into the presets, or a position among the account's voices. */
type Cursor = { preset: number } | { own: VoiceCursor };

const encodeCursor = (cursor: Cursor) => btoa(JSON.stringify(cursor)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
function decodeCursor(text: string | undefined): Cursor {
  if (!text) return { preset: 0 };
  try {
    const cursor = JSON.parse(atob(text.replaceAll('-', '+').replaceAll('_', '/'))) as Cursor;
    if ('preset' in cursor && Number.isInteger(cursor.preset) && cursor.preset >= 0) return cursor;
    if ('own' in cursor && typeof cursor.own?.created_at === 'string' && typeof cursor.own.id === 'string') return cursor;
  } catch {
    // answered below
  }
  throw invalidRequest('invalid_cursor', 'cursor is not a next_cursor this API returned.', 'cursor');
}

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
  const cursor = decodeCursor(query.cursor);
  const models = await new WorkerPool(c.env).models();
  const onlyModel = query.model ? models.get(query.model) : undefined;

  const presets =
    query.type === undefined || query.type === 'preset'
      ? [...models.values()]
          .filter(({ info }) => !query.model || info.id === query.model)
          .flatMap(({ info }) => info.voices.map((voice) => presetObject(voice, info.id)))
          .filter((voice) => !query.language || voice.language === query.language)
      : [];
  const start = 'preset' in cursor ? cursor.preset : presets.length;
  const data: AnyVoice[] = presets.slice(start, start + query.limit);
  let next: Cursor | undefined = start + query.limit < presets.length ? { preset: start + query.limit } : undefined;

  const room = query.limit - data.length;
  if (!next && room > 0 && query.type !== 'preset') {
    // An own voice works with its own model, and with any model that clones (from its clip).
    const model = query.model ? { id: query.model, anyVoice: (onlyModel?.info.capabilities.clone ?? 'none') !== 'none' } : undefined;
    const rows = await new D1VoiceIndex(c.env.DB).list(
      c.get('caller').accountId,
      { ...(query.type ? { type: query.type } : {}), ...(query.language ? { language: query.language } : {}), ...(model ? { model } : {}) },
      'own' in cursor ? cursor.own : undefined,
      room + 1,
    );
    const page = rows.slice(0, room);
    data.push(...page.map((row) => voiceObject(row)));
    const last = page.at(-1);
    if (rows.length > room && last) next = { own: { created_at: last.created_at, id: last.id } };
  }
  return c.json({ object: 'list', data, has_more: next !== undefined, next_cursor: next ? encodeCursor(next) : null } satisfies z.infer<typeof VoiceListSchema>);
});
