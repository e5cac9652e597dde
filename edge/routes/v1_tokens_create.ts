import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env.ts';
import { JSON_BODY_ERRORS, readJsonBody } from '../http/json-body.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse, requestBody } from '../openapi/index.ts';
import { POOL_ERRORS } from '../pool/worker-pool.ts';
import { clientTokenObject, NewClientTokenSchema } from '../tokens/token-object.ts';
import { mintClientToken } from '../tokens/mint-token.ts';
import { CreateTokenSchema, MINT_ERRORS } from '../tokens/token-request.ts';

/**
 * `POST /v1/tokens`: a client token for one app install or one web page (docs/client-tokens.md).
 * The server that holds the key mints it and hands the client only the token, which expires,
 * may carry caps, and is bound to scopes, models, voices and origins within the key's own.
 */
export const createTokenRoute = new Hono<AppEnv>();

const createTokenDocs = describeRoute({
  tags: ['Client tokens'],
  operationId: 'createClientToken',
  summary: 'Create a client token',
  description:
    'Mints a short-lived token that speaks for this key on `POST /v1/audio/speech`, `/v1/audio/speech/with-timestamps`, the realtime socket and (with `voices:read`) `GET /v1/voices` and `GET /v1/models`, and nothing else. Its use is charged to the account; its caps hold exactly under concurrency. Only its hash is stored: the token is in this answer and nowhere else.',
  security: apiKeySecurity('tokens'),
  requestBody: requestBody(CreateTokenSchema),
  responses: { 201: jsonResponse('The token.', NewClientTokenSchema), ...errorResponses(API_KEY_ERRORS, JSON_BODY_ERRORS, MINT_ERRORS, POOL_ERRORS) },
});

createTokenRoute.post('/v1/tokens', createTokenDocs, apiKeyAuth('tokens'), async (c) => {
  const key = c.get('apiKey');
  const body = await readJsonBody(c, CreateTokenSchema);
  const { token, secret } = await mintClientToken(c, key, body);
  return c.json({ ...clientTokenObject(token), token: secret }, 201);
});
