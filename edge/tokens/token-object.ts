import { z } from 'zod';
import { TOKEN_SCOPES, type ClientTokenState, type TokenScope } from '../accounts/client-token-types.ts';
import { AllowedOriginsSchema } from '../auth/allowed-origins.ts';

export const TokenScopeSchema = z.enum(TOKEN_SCOPES as [TokenScope, ...TokenScope[]]);

/** A client token as `GET /v1/tokens/{id}` shows it: never the token itself. */
export const ClientTokenSchema = z
  .object({
    object: z.literal('client_token'),
    id: z.string().describe('`tok_…`: the token\'s id, which ledger rows carry (`GET /v1/usage?group_by=token`). Not the token.'),
    key_id: z.string().describe('The key that minted it; its revocation ends the token.'),
    status: z
      .enum(['active', 'expired', 'revoked', 'exhausted'])
      .describe('`revoked` also when its key was revoked; `exhausted` when `max_characters` or `max_requests` is used up.'),
    created_at: z.string(),
    expires_at: z.string(),
    revoked_at: z.string().nullable(),
    scopes: z.array(TokenScopeSchema),
    models: z.array(z.string()).nullable().describe('The served models it may speak with; null: any.'),
    voices: z.array(z.string()).nullable().describe('The `voice` values it may send; null: any.'),
    allowed_origins: z.array(z.string()).nullable().describe(AllowedOriginsSchema.description!),
    single_use: z.boolean(),
    max_characters: z.number().int().nullable(),
    max_requests: z.number().int().nullable(),
    characters_used: z.number().int().describe('Characters charged to it by requests that ended (what their audio was worth).'),
    characters_reserved: z.number().int().describe('Characters held by its requests running now, until they settle.'),
    characters_remaining: z.number().int().nullable().describe('`max_characters` less used and reserved; null without a cap.'),
    requests_used: z.number().int(),
    requests_remaining: z.number().int().nullable().describe('Null without a cap (`max_requests`, or 1 when `single_use`).'),
  })
  .meta({ id: 'ClientToken' });
export type ClientTokenObject = z.infer<typeof ClientTokenSchema>;

export const NewClientTokenSchema = ClientTokenSchema.extend({
  token: z.string().describe('`tkn_…`: send it as `Authorization: Bearer <token>` (or `?token=` on the realtime socket). In this answer and nowhere else.'),
}).meta({ id: 'NewClientToken' });

const iso = (ms: number) => new Date(ms).toISOString();

export function clientTokenObject(state: ClientTokenState): ClientTokenObject {
  return {
    object: 'client_token',
    id: state.id,
    key_id: state.key_id,
    status: state.status,
    created_at: iso(state.created_ms),
    expires_at: iso(state.expires_ms),
    revoked_at: state.revoked_ms === null ? null : iso(state.revoked_ms),
    scopes: state.scopes,
    models: state.models,
    voices: state.voices,
    allowed_origins: state.allowed_origins,
    single_use: state.single_use,
    max_characters: state.max_characters,
    max_requests: state.max_requests,
    characters_used: state.characters_used,
    characters_reserved: state.characters_reserved,
    characters_remaining: state.remaining.characters_remaining,
    requests_used: state.requests_used,
    requests_remaining: state.remaining.requests_remaining,
  };
}
