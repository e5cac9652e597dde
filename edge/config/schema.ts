/**
 * Every variable and secret of the edge, in one schema: what each allows, its default, and the
 * typed value the code reads (`edgeConfig(env)`, edge/config/edge-config.ts). The same schema
 * checks wrangler.toml before `npm start` and `npm run deploy` (scripts/check-config.ts), so a bad
 * value is refused before it runs, not met by every request.
 *
 * Imported by Node scripts as well as the edge: nothing here may need the Workers runtime.
 */
import { z } from 'zod';
import { isHttpUrl, oneOf, optional, parseVariables, required, variableText, withDefault, wholeNumber } from '../../shared/config/variables.ts';
import { DEFAULT_RESPONSE_FORMAT, RESPONSE_FORMATS } from '../../shared/schemas/speech.ts';
import { readElevenLabsModels } from '../dialects/elevenlabs/speech/model-table.ts';
import { readAliasTable } from '../speech/openai-alias-table.ts';
import { OpenAiAliases } from '../speech/openai-aliases.ts';

const HTTP_URLS = 'must be comma-separated http(s) base URLs of gpu-workers, or empty';

/** Comma-separated base URLs, trimmed and without a trailing slash; blanks between commas are skipped. */
const workerUrls = z.string({ error: HTTP_URLS }).transform((text, ctx) => {
  const urls = text.split(',').map((url) => url.trim().replace(/\/$/, '')).filter(Boolean);
  for (const url of urls) if (!isHttpUrl(url)) ctx.addIssue({ code: 'custom', message: `${HTTP_URLS} ("${url}" is not one)` });
  return urls;
});

/** A variable holding JSON that `read` turns into a table, or a problem naming the key at fault. */
const jsonTable = <T>(see: string, read: (json: string | undefined) => { table: T } | { problem: string }) =>
  z.string({ error: `must be JSON text (see ${see})` }).optional().transform((json, ctx) => {
    const result = read(json);
    if ('problem' in result) {
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    }
    return result.table;
  });

/** AUDIO_CACHE_SHARED_PHRASES: a JSON array of strings, as a set; unset or empty: none. */
function readSharedPhrases(json: string | undefined): { table: ReadonlySet<string> } | { problem: string } {
  if (json === undefined || json.trim() === '') return { table: new Set() };
  const problem = 'must be a JSON array of non-empty strings (the phrases to share)';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { problem };
  }
  const parsed = z.array(z.string().min(1)).safeParse(value);
  return parsed.success ? { table: new Set(parsed.data) } : { problem };
}

const openAiAliases = jsonTable('edge/speech/openai-alias-table.ts', (json) => {
  const read = readAliasTable(json);
  return 'problem' in read ? read : { table: new OpenAiAliases(read.table) };
});

/** The variables: wrangler.toml's `[vars]` (per environment), or `npm start`'s environment. */
export const EdgeVariablesSchema = z.object({
  /** Seed members of the pool, asked for their catalog without waiting for a heartbeat. */
  WORKER_URLS: withDefault(workerUrls, []),
  /**
   * How long a worker may take to its first audio before the edge tries another, while the worker
   * has reported no time to first audio (a seed, a worker just started); also how long a stream
   * from such a worker may go without a byte. Once it reports one, see the STALL_ variables.
   */
  FIRST_BYTE_TIMEOUT_MS: withDefault(wholeNumber(1), 15_000),
  /**
   * A worker that reports its time to first audio (heartbeats) is judged stalled after this many
   * times its expected wait for first audio (its ttfa, or its queue wait when full), and a playing
   * stream after this many times its ttfa without a byte (edge/pool/stall-deadline.ts).
   */
  STALL_TTFA_MULTIPLE: withDefault(wholeNumber(1), 4),
  /** The least such a deadline is, however fast the worker says it is. */
  STALL_FLOOR_MS: withDefault(wholeNumber(1), 3_000),
  /** The most such a deadline is, however slow the worker says it is (it may exceed FIRST_BYTE_TIMEOUT_MS). */
  STALL_CEILING_MS: withDefault(wholeNumber(1), 60_000),
  /**
   * A new stream that no worker could give its first audio within this long (estimated from the
   * queues and time to first audio the workers report) is refused at once, 503 `pool_saturated`
   * with a Retry-After, rather than left to wait. Streams already playing are never cut.
   */
  FIRST_AUDIO_BUDGET_MS: withDefault(wholeNumber(1), 2_000),
  /** The model of a request that names none, when the pool serves it; unset: the first served. */
  DEFAULT_MODEL: optional(z.string({ error: 'must be a model id' }).trim()),
  /** The format of a speech request that names none: OpenAI's default unless set. */
  DEFAULT_RESPONSE_FORMAT: withDefault(oneOf(RESPONSE_FORMATS), DEFAULT_RESPONSE_FORMAT),
  /** JSON merged over the table of OpenAI's model and voice names (edge/speech/openai-alias-table.ts). */
  OPENAI_ALIASES: z.preprocess(variableText, openAiAliases),
  /** JSON merged over the table of ElevenLabs' model ids (edge/dialects/elevenlabs/speech/model-table.ts). */
  ELEVENLABS_MODELS: z.preprocess(variableText, jsonTable('edge/dialects/elevenlabs/speech/model-table.ts', readElevenLabsModels)),
  /** Credits per second of reference audio for creating a voice; 0: free. */
  VOICE_CREDITS_PER_SECOND: withDefault(
    z
      .string({ error: 'must be a number >= 0' })
      .trim()
      .refine((text) => /^\d+(\.\d+)?$/.test(text), { error: 'must be a number >= 0' })
      .transform(Number),
    0,
  ),
  /** A realtime socket with nothing to say and nothing said to it closes after this long. */
  REALTIME_IDLE_TIMEOUT_MS: withDefault(wholeNumber(1), 60_000),
  /**
   * "true": a job's webhook_url may be http and an internal host such as 127.0.0.1
   * (edge/jobs/webhooks/webhook-url.ts). For local development and tests only; wrangler.toml's
   * top level (local) sets it, deployments leave it false.
   */
  ALLOW_INSECURE_WEBHOOKS: withDefault(oneOf(['true', 'false']).transform((text) => text === 'true'), false),
  /** The wait after a webhook's first failed attempt, doubled after each next one (edge/jobs/webhooks/delivery.ts). */
  WEBHOOK_RETRY_BASE_MS: withDefault(wholeNumber(1), 30_000),
  /**
   * Chunks of one long-form job rendered at once (queued or on a worker); the account's
   * concurrent-stream limit bounds them too (docs/jobs.md).
   */
  JOB_CHUNKS_IN_FLIGHT: withDefault(wholeNumber(1), 8),
  /**
   * A job's chunk that has waited this long for a stream slot or a worker (the account at its
   * limit, no worker for the model) fails the job, rather than keep it waiting unseen.
   */
  JOB_MAX_WAIT_SECONDS: withDefault(wholeNumber(1), 1_800),
  /** A finished or cancelled job's audio is deleted this many seconds after it ended (default a week). */
  JOB_RETENTION_SECONDS: withDefault(wholeNumber(1), 604_800),
  /** "off": no speech is looked up in or stored to the audio cache (edge/cache/, docs/cache.md); "on" (default): deterministic renderings are. */
  AUDIO_CACHE_MODE: withDefault(oneOf(['on', 'off']).transform((text) => text === 'on'), true),
  /**
   * What a cache hit is charged, as a share of its characters (rounded up): 1 (default) charges a
   * hit as a rendering, 0 makes hits free. The operator decides; the ledger marks hits either way.
   */
  AUDIO_CACHE_HIT_PRICE: withDefault(
    z
      .string({ error: 'must be a number from 0 to 1' })
      .trim()
      .refine((text) => /^(0(\.\d+)?|1(\.0+)?)$/.test(text), { error: 'must be a number from 0 to 1' })
      .transform(Number),
    1,
  ),
  /** The most audio one account keeps in the cache, bytes: beyond it the least recently heard entries are evicted (default 1 GiB). */
  AUDIO_CACHE_MAX_BYTES_PER_ACCOUNT: withDefault(wholeNumber(0), 1_073_741_824),
  /** An entry not heard for this many days is evicted (default 30). */
  AUDIO_CACHE_MAX_AGE_DAYS: withDefault(wholeNumber(1), 30),
  /**
   * A JSON array of phrases (exact input text) whose renderings with a model's preset voices are
   * cached once for every account rather than per account: an operator's IVR prompts, say. Empty
   * (default): nothing is shared.
   */
  AUDIO_CACHE_SHARED_PHRASES: z.preprocess(variableText, jsonTable('docs/cache.md', readSharedPhrases)),
});

/** The secrets: `wrangler secret put NAME --env ...` in a deployment, the env file under `npm start`. */
export const EdgeSecretsSchema = z.object({
  /** The HMAC key shared with the gpu-workers: required, or nothing signed by the edge is trusted. */
  WORKER_SECRET: required(z.string({ error: 'must be set to the secret shared with the gpu-workers' })),
  /** The bearer token of /admin; unset: /admin answers 503 admin_disabled. */
  ADMIN_TOKEN: optional(z.string({ error: 'must be the bearer token of /admin, or unset' })),
});

export type EdgeVariableName = keyof typeof EdgeVariablesSchema.shape;
export type EdgeSecretName = keyof typeof EdgeSecretsSchema.shape;
export const EDGE_VARIABLE_NAMES = Object.keys(EdgeVariablesSchema.shape) as EdgeVariableName[];
export const EDGE_SECRET_NAMES = Object.keys(EdgeSecretsSchema.shape) as EdgeSecretName[];
export const EDGE_CONFIG_NAMES: readonly (EdgeVariableName | EdgeSecretName)[] = [...EDGE_VARIABLE_NAMES, ...EDGE_SECRET_NAMES];

const EdgeConfigSchema = EdgeVariablesSchema.extend(EdgeSecretsSchema.shape).transform((env) => ({
  workerUrls: env.WORKER_URLS,
  firstByteTimeoutMs: env.FIRST_BYTE_TIMEOUT_MS,
  stall: { unknownMs: env.FIRST_BYTE_TIMEOUT_MS, multiple: env.STALL_TTFA_MULTIPLE, floorMs: env.STALL_FLOOR_MS, ceilingMs: env.STALL_CEILING_MS },
  firstAudioBudgetMs: env.FIRST_AUDIO_BUDGET_MS,
  defaultModel: env.DEFAULT_MODEL,
  defaultResponseFormat: env.DEFAULT_RESPONSE_FORMAT,
  openAiAliases: env.OPENAI_ALIASES,
  elevenLabsModels: env.ELEVENLABS_MODELS,
  voiceCreditsPerSecond: env.VOICE_CREDITS_PER_SECOND,
  realtimeIdleTimeoutMs: env.REALTIME_IDLE_TIMEOUT_MS,
  webhooks: { allowInsecure: env.ALLOW_INSECURE_WEBHOOKS, retryBaseMs: env.WEBHOOK_RETRY_BASE_MS },
  audioCache: {
    enabled: env.AUDIO_CACHE_MODE,
    hitPrice: env.AUDIO_CACHE_HIT_PRICE,
    maxBytesPerAccount: env.AUDIO_CACHE_MAX_BYTES_PER_ACCOUNT,
    maxAgeMs: env.AUDIO_CACHE_MAX_AGE_DAYS * 86_400_000,
    sharedPhrases: env.AUDIO_CACHE_SHARED_PHRASES,
  },
  jobs: { chunksInFlight: env.JOB_CHUNKS_IN_FLIGHT, retentionMs: env.JOB_RETENTION_SECONDS * 1000, maxWaitMs: env.JOB_MAX_WAIT_SECONDS * 1000 },
  workerSecret: env.WORKER_SECRET,
  adminToken: env.ADMIN_TOKEN,
}));

/** What the edge's code reads instead of `env.X`. */
export type EdgeConfig = z.output<typeof EdgeConfigSchema>;

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** The whole configuration (variables and secrets) from an env object, or one line per problem. */
export function parseEdgeConfig(env: Readonly<Record<string, unknown>>): Checked<EdgeConfig> {
  return parseVariables(EdgeConfigSchema, env, { secrets: EDGE_SECRET_NAMES });
}

/** The variables alone: what can be checked where the secrets cannot be read (before a deploy). */
export function checkEdgeVariables(vars: Readonly<Record<string, unknown>>): string[] {
  const checked = parseVariables(EdgeVariablesSchema, vars);
  return checked.ok ? [] : checked.problems;
}
