import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../../../shared/errors.ts';
import type { AppEnv } from '../../../env.ts';
import { CALLER_ERRORS, callerAuth } from '../../../middleware/caller-auth.ts';
import { apiKeySecurity, clientTokenSecurity, errorCatalogue, jsonResponse, queryParameters } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { POOL_ERRORS, WorkerPool } from '../../../pool/worker-pool.ts';
import { VOICE_TYPES, type VoiceType } from '../../../storage/voice-index.ts';
import { countVoices, decodeListCursor, encodeListCursor, type ListFilter, listVoices } from '../../../voices/list-voices.ts';
import { elevenLabsVoice, ElevenLabsVoiceSchema } from '../voices/voice-object.ts';

/**
 * `GET /elevenlabs/v2/voices`: ElevenLabs' voice search, paged (`page_size`, `next_page_token`)
 * over the same listing as `GET /v1/voices`: presets first, then the account's voices oldest first.
 */
export const elevenLabsVoiceSearchRoute = new Hono<AppEnv>();

/** Which of our voices each `voice_type` means: presets are ElevenLabs' `default` voices, the account's its `personal` ones. */
const VOICE_TYPE: Record<string, { presets: boolean; own: boolean }> = {
  default: { presets: true, own: false },
  personal: { presets: false, own: true },
  workspace: { presets: false, own: true },
  'non-default': { presets: false, own: true },
  'non-community': { presets: false, own: true },
  saved: { presets: false, own: true },
  community: { presets: false, own: false },
};
/** Which of our voices each `category` means; we have no professional, famous or high-quality voices. */
const CATEGORY: Record<string, { presets: boolean; own: readonly VoiceType[] }> = {
  premade: { presets: true, own: [] },
  cloned: { presets: false, own: ['clone'] },
  generated: { presets: false, own: ['design'] },
  professional: { presets: false, own: [] },
  famous: { presets: false, own: [] },
  high_quality: { presets: false, own: [] },
};

const oneOf = (values: string[]) => z.string().refine((value) => values.includes(value), `expected one of ${values.join(', ')}`);
const flag = z.enum(['true', 'false']).optional();

const QuerySchema = z.object({
  next_page_token: z.string().optional().describe("The previous page's `next_page_token`."),
  page_size: z.coerce.number().int().min(1).max(100).default(10),
  search: z.string().max(200).optional().describe('In the name or the description (ASCII letters in either case).'),
  voice_type: oneOf(Object.keys(VOICE_TYPE)).optional().describe('`default`: the presets; `personal`, `workspace`, `non-default`, `non-community`, `saved`: the account\'s own voices; `community`: none.'),
  category: oneOf(Object.keys(CATEGORY)).optional().describe('`premade` (presets), `cloned`, `generated`; `professional`, `famous`, `high_quality`: none.'),
  gender: z.string().optional().describe("The voice's `gender` label: presets have one, the account's voices none."),
  language: z.array(z.string()).optional().describe('Any of these languages (repeat the parameter).'),
  voice_ids: z.array(z.string()).max(100).optional().describe('Only these voices (repeat the parameter).'),
  high_quality: flag.describe('`true`: none (no voice is `high_quality`).'),
  sort: z.string().optional().describe('Accepted and ignored: presets come first, then the account\'s voices oldest first.'),
  sort_direction: z.string().optional().describe('Accepted and ignored.'),
  include_total_count: flag.describe('Accepted; `total_count` is always included.'),
  fine_tuning_state: z.string().optional().describe('Accepted and ignored (no voice is fine-tuned).'),
  collection_id: z.string().optional().describe('Accepted and ignored (there are no collections).'),
  age: z.string().optional().describe('Accepted and ignored (no voice has an age label).'),
  accent: z.string().optional().describe('Accepted and ignored (no voice has an accent label).'),
  use_cases: z.array(z.string()).optional().describe('Accepted and ignored (no voice has a use-case label).'),
});

const SearchResponseSchema = z
  .object({
    voices: z.array(ElevenLabsVoiceSchema),
    has_more: z.boolean(),
    total_count: z.number().int(),
    next_page_token: z.string().nullable(),
  })
  .meta({ id: 'ElevenLabsGetVoicesV2Response' });

const searchVoicesDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsSearchVoices',
  summary: 'Search voices (ElevenLabs)',
  description: "As ElevenLabs' `GET /v2/voices`: the voices a page at a time, filtered. Presets first, then the account's voices oldest first.",
  security: [...apiKeySecurity('speech', 'voices'), ...clientTokenSecurity('voices:read')],
  responses: {
    200: jsonResponse('A page of voices.', SearchResponseSchema),
    ...elevenLabsErrorResponses(CALLER_ERRORS, POOL_ERRORS, errorCatalogue({ 400: ['invalid_parameter', 'invalid_cursor'] })),
  },
});

/** The query, with its repeatable parameters as lists (`c.req.query()` keeps only the first of each). */
function readQuery(url: URL) {
  const params = url.searchParams;
  const single = Object.fromEntries(params.entries());
  const lists = Object.fromEntries(['language', 'voice_ids', 'use_cases'].filter((name) => params.has(name)).map((name) => [name, params.getAll(name)]));
  const parsed = QuerySchema.safeParse({ ...single, ...lists });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = String(issue.path[0]);
    throw invalidRequest('invalid_parameter', `${param}: ${issue.message}`, param);
  }
  return parsed.data;
}

elevenLabsVoiceSearchRoute.get('/v2/voices', searchVoicesDocs, queryParameters(QuerySchema), callerAuth(['speech', 'voices'], 'voices:read'), async (c) => {
  const query = readQuery(new URL(c.req.url));
  const byType = query.voice_type ? VOICE_TYPE[query.voice_type]! : { presets: true, own: true };
  const byCategory = query.category ? CATEGORY[query.category]! : { presets: true, own: VOICE_TYPES };
  const none = query.high_quality === 'true';
  const filter: ListFilter = {
    presets: !none && byType.presets && byCategory.presets,
    own: none || !byType.own ? [] : byCategory.own,
    ...(query.language ? { languages: query.language.map((code) => code.toLowerCase()) } : {}),
    ...(query.gender ? { gender: query.gender.toLowerCase() } : {}),
    ...(query.search?.trim() ? { search: query.search.trim() } : {}),
    ...(query.voice_ids ? { ids: query.voice_ids } : {}),
  };
  const cursor = decodeListCursor(query.next_page_token, 'next_page_token', 'next_page_token');
  const models = await new WorkerPool(c.env).models();
  const accountId = c.get('caller').accountId;
  const [{ voices, next }, total] = await Promise.all([
    listVoices(c.env, accountId, models, filter, cursor, query.page_size),
    countVoices(c.env, accountId, models, filter),
  ]);
  return c.json({
    voices: voices.map(elevenLabsVoice),
    has_more: next !== undefined,
    total_count: total,
    next_page_token: next ? encodeListCursor(next) : null,
  } satisfies z.infer<typeof SearchResponseSchema>);
});
