import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { invalidRequest } from '../../../../shared/errors.ts';
import type { TokenScope } from '../../../accounts/client-token-types.ts';
import type { AppEnv } from '../../../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../../../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, jsonResponse } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { mintClientToken } from '../../../tokens/mint-token.ts';
import { CreateTokenSchema, MINT_ERRORS } from '../../../tokens/token-request.ts';

/**
 * `POST /elevenlabs/v1/single-use-token/{token_type}`: ElevenLabs' single-use token is one of our
 * client tokens (docs/client-tokens.md), minted as `POST /v1/tokens` mints them: it serves one
 * request (opens one socket), lasts 15 minutes as ElevenLabs' do, and has the scope its type needs.
 */
export const elevenLabsSingleUseTokenRoute = new Hono<AppEnv>();

/** The token scope each type needs; ElevenLabs' speech-to-text types have none here (no speech-to-text). */
const SCOPE_OF: Record<string, TokenScope> = { tts_websocket: 'realtime' };
const TTL_SECONDS = 15 * 60;

const TokenSchema = z.object({ token: z.string().describe('`tkn_…`: a client token with one use, for 15 minutes.') }).meta({ id: 'ElevenLabsSingleUseToken' });

const singleUseTokenDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsCreateSingleUseToken',
  summary: 'Create a single-use token (ElevenLabs)',
  description:
    "As ElevenLabs' `POST /v1/single-use-token/{token_type}`: a client token that opens one realtime socket (`tts_websocket`: the `realtime` scope), within 15 minutes, charged to the account. `realtime_scribe` and `batch_scribe` are refused: there is no speech-to-text.",
  security: apiKeySecurity('tokens'),
  parameters: [{ in: 'path', name: 'token_type', required: true, schema: { type: 'string', enum: Object.keys(SCOPE_OF) } }],
  responses: { 200: jsonResponse('The token.', TokenSchema), ...elevenLabsErrorResponses(API_KEY_ERRORS, MINT_ERRORS, errorCatalogue({ 400: ['invalid_parameter'] })) },
});

elevenLabsSingleUseTokenRoute.post('/v1/single-use-token/:token_type', singleUseTokenDocs, apiKeyAuth('tokens'), async (c) => {
  const type = c.req.param('token_type');
  const scope = Object.hasOwn(SCOPE_OF, type) ? SCOPE_OF[type] : undefined;
  if (!scope) {
    throw invalidRequest('invalid_parameter', `token_type: ${JSON.stringify(type)} is not served; expected one of ${Object.keys(SCOPE_OF).join(', ')} (there is no speech-to-text).`, 'token_type');
  }
  const request = CreateTokenSchema.parse({ scopes: [scope], single_use: true, ttl_seconds: TTL_SECONDS });
  const { secret } = await mintClientToken(c, c.get('apiKey'), request);
  return c.json({ token: secret } satisfies z.infer<typeof TokenSchema>);
});
