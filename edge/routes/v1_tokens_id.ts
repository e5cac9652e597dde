import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { ApiError } from '../../shared/errors.ts';
import { accountObject } from '../accounts/account-stub.ts';
import type { AppEnv } from '../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorCatalogue, errorResponses, jsonResponse } from '../openapi/index.ts';
import { ClientTokenSchema, clientTokenObject } from '../tokens/token-object.ts';
import { TOKEN_ID_PATTERN } from '../tokens/token-secret.ts';

/**
 * `GET /v1/tokens/{id}`: what a client token has left. `DELETE /v1/tokens/{id}`: revokes it, from
 * its next request on. Any key of the account with the `tokens` scope may do either; another
 * account's token is 404, exactly like one that never existed.
 */
export const tokenByIdRoute = new Hono<AppEnv>();

const TOKEN_ID = { in: 'path', name: 'id', required: true, schema: { type: 'string' }, description: 'A token id, `tok_…` (not the token).' } as const;
const TOKEN_NOT_FOUND_ERRORS = errorCatalogue({ 404: ['token_not_found'] });
const tokenNotFound = (id: string) =>
  new ApiError(404, 'not_found_error', 'token_not_found', `The account has no client token ${JSON.stringify(id)} (tokens are forgotten a week after they expire).`);

const getTokenDocs = describeRoute({
  tags: ['Client tokens'],
  operationId: 'getClientToken',
  summary: 'Get a client token',
  description: 'Its bindings, its status, and what it has used and has left.',
  security: apiKeySecurity('tokens'),
  parameters: [TOKEN_ID],
  responses: { 200: jsonResponse('The token.', ClientTokenSchema), ...errorResponses(API_KEY_ERRORS, TOKEN_NOT_FOUND_ERRORS) },
});

const revokeTokenDocs = describeRoute({
  tags: ['Client tokens'],
  operationId: 'revokeClientToken',
  summary: 'Revoke a client token',
  description: 'Refused from its next request on (401 `invalid_token`); a request it has running finishes. Revoking a revoked token changes nothing.',
  security: apiKeySecurity('tokens'),
  parameters: [TOKEN_ID],
  responses: { 200: jsonResponse('The revoked token.', ClientTokenSchema), ...errorResponses(API_KEY_ERRORS, TOKEN_NOT_FOUND_ERRORS) },
});

tokenByIdRoute.get('/v1/tokens/:id', getTokenDocs, apiKeyAuth('tokens'), async (c) => {
  const id = c.req.param('id');
  const state = TOKEN_ID_PATTERN.test(id) ? await accountObject(c.env, c.get('apiKey').account_id).tokenState(id) : null;
  if (!state) throw tokenNotFound(id);
  return c.json(clientTokenObject(state));
});

tokenByIdRoute.delete('/v1/tokens/:id', revokeTokenDocs, apiKeyAuth('tokens'), async (c) => {
  const id = c.req.param('id');
  const state = TOKEN_ID_PATTERN.test(id) ? await accountObject(c.env, c.get('apiKey').account_id).revokeToken(id) : null;
  if (!state) throw tokenNotFound(id);
  return c.json(clientTokenObject(state));
});
