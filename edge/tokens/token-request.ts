import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError, invalidRequest } from '../../shared/errors.ts';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { ClientTokenSpec, TokenScope } from '../accounts/client-token-types.ts';
import { AllowedOriginsSchema } from '../auth/allowed-origins.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv } from '../env.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { defaultModelId } from '../speech/resolve.ts';
import { modelNotFound } from '../speech/errors.ts';
import type { ApiKeyRecord, KeyScope } from '../storage/api-keys.ts';
import { TokenScopeSchema } from './token-object.ts';

export const DEFAULT_TOKEN_TTL_SECONDS = 600;
export const MAX_TOKEN_TTL_SECONDS = 86_400;
/** Scopes a token gets when it names none (those its key allows). */
const DEFAULT_TOKEN_SCOPES: readonly TokenScope[] = ['speech', 'realtime'];

/** The key scopes that give a token scope (the token may do what the key may, and no more). */
const KEY_SCOPES_FOR: Record<TokenScope, readonly KeyScope[]> = {
  speech: ['speech'],
  realtime: ['speech'],
  'voices:read': ['speech', 'voices'],
};

const names = (what: string, max: number) => z.array(z.string().min(1).max(128)).min(1).max(max).describe(what);

export const CreateTokenSchema = z
  .object({
    ttl_seconds: z.number().int().min(1).max(MAX_TOKEN_TTL_SECONDS).default(DEFAULT_TOKEN_TTL_SECONDS).describe('How long it lasts: default 600 (10 minutes), at most 86400 (a day). Never beyond its key\'s expiry.'),
    max_characters: z.number().int().min(1).max(100_000_000).optional().describe('A spend cap: characters of input it may be charged for, held exactly under concurrency. Default: none (the account\'s credits).'),
    max_requests: z.number().int().min(1).max(1_000_000).optional().describe('Speech requests (and socket openings) it may make. Default: none.'),
    models: names('The served models it may speak with (OpenAI names are taken as the model they stand for). Default: any.', 20).optional(),
    voices: names('The `voice` values it may send (preset ids, the account\'s own voice ids, OpenAI voice names). Default: any.', 100).optional(),
    scopes: z.array(TokenScopeSchema).min(1).optional().describe('`speech` (HTTP speech), `realtime` (the socket), `voices:read` (`GET /v1/voices`, `GET /v1/models`), each only if its key has it. Default: `speech` and `realtime`.'),
    allowed_origins: AllowedOriginsSchema.optional().describe('The web origins that may use it (requests without `Origin`, from servers, are not affected). Default: its key\'s. Must be among its key\'s when the key lists some.'),
    single_use: z.boolean().default(false).describe('Serves one request (or opens one socket), then is exhausted.'),
  })
  .strict()
  .meta({ id: 'CreateClientToken' });
export type CreateTokenRequest = z.infer<typeof CreateTokenSchema>;

/** What minting refuses beyond a malformed body. */
export const MINT_ERRORS = errorCatalogue({ 400: ['invalid_parameter'], 403: ['token_scope'], 404: ['model_not_found', 'voice_not_found'] });

const scopeRefused = (scope: TokenScope, key: ApiKeyRecord) =>
  new ApiError(403, 'permission_error', 'token_scope', `A token cannot have the "${scope}" scope: its key's scopes are ${key.scopes.map((s) => `"${s}"`).join(', ')}.`, { param: 'scopes' });

/** The token's scopes: those asked for (each one its key allows), or the default ones the key allows. */
function scopesFor(asked: TokenScope[] | undefined, key: ApiKeyRecord): TokenScope[] {
  const allowed = (scope: TokenScope) => KEY_SCOPES_FOR[scope].some((needed) => key.scopes.includes(needed));
  if (asked) {
    const refused = asked.find((scope) => !allowed(scope));
    if (refused) throw scopeRefused(refused, key);
    return [...new Set(asked)];
  }
  const scopes = DEFAULT_TOKEN_SCOPES.filter(allowed);
  if (scopes.length === 0) throw scopeRefused(DEFAULT_TOKEN_SCOPES[0]!, key);
  return scopes;
}

/** The token's origins: its key's unless it names some, and then only among its key's. */
function originsFor(asked: string[] | null | undefined, key: ApiKeyRecord): string[] | null {
  const keys = key.allowed_origins ?? null;
  if (asked === undefined || asked === null) return keys;
  const outside = asked.find((origin) => keys !== null && !keys.includes(origin));
  if (outside) throw invalidRequest('invalid_parameter', `allowed_origins: ${JSON.stringify(outside)} is not among its key's allowed_origins.`, 'allowed_origins');
  return [...new Set(asked)];
}

/**
 * Checks a token request against its key and what the pool serves, and turns it into what the
 * account's object stores: model names resolved to served models, voices checked to exist.
 */
export async function tokenSpec(c: Context<AppEnv>, key: ApiKeyRecord, body: CreateTokenRequest, ids: { token_id: string; token_hash: string }): Promise<ClientTokenSpec> {
  if (body.single_use && body.max_requests !== undefined && body.max_requests !== 1) {
    throw invalidRequest('invalid_parameter', 'max_requests: a single_use token serves one request; leave max_requests out.', 'max_requests');
  }
  const scopes = scopesFor(body.scopes, key);
  const allowed_origins = originsFor(body.allowed_origins, key);
  const needsPool = body.models !== undefined || body.voices !== undefined;
  const models = needsPool ? await new WorkerPool(c.env).models() : new Map();
  const aliases = edgeConfig(c.env).openAiAliases;

  let servedModels: string[] | null = null;
  if (body.models) {
    const fallback = defaultModelId(c.env, models);
    servedModels = [...new Set(body.models.map((named) => {
      const id = aliases.model(named, [...models.keys()], fallback) ?? named;
      if (!models.has(id)) throw new ApiError(404, 'not_found_error', 'model_not_found', `models: ${modelNotFound(named, models).message}`, { param: 'models' });
      return id;
    }))];
  }
  if (body.voices) {
    const account = accountObject(c.env, key.account_id);
    const isPreset = (voice: string) => aliases.isVoice(voice) || [...models.values()].some(({ info }) => info.voices.some((preset: { id: string }) => preset.id === voice));
    for (const voice of body.voices) {
      const known = isCustomVoiceId(voice) ? (await account.voice(voice)) !== null : isPreset(voice);
      if (!known) throw new ApiError(404, 'not_found_error', 'voice_not_found', `voices: the account has no voice ${JSON.stringify(voice)} and no served model has a preset by that name (GET /v1/voices lists them).`, { param: 'voices' });
    }
  }
  const keyExpires = key.expires_at === null ? Infinity : Date.parse(key.expires_at) - Date.now();
  return {
    ...ids,
    key_id: key.id,
    ttl_ms: Math.max(0, Math.min(body.ttl_seconds * 1000, keyExpires)),
    scopes,
    models: servedModels,
    voices: body.voices ? [...new Set(body.voices)] : null,
    allowed_origins,
    single_use: body.single_use,
    max_characters: body.max_characters ?? null,
    max_requests: body.max_requests ?? null,
  };
}
