import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { WEBHOOK_HEADERS } from '../jobs/webhooks/signing.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../middleware/api-key-auth.ts';
import { apiKeySecurity, errorResponses, jsonResponse } from '../openapi/index.ts';
import { D1WebhookSecrets, type WebhookSecret } from '../storage/webhook-secrets.ts';

/**
 * `GET /v1/webhooks/secret`: the account's webhook signing secret, made on first use.
 * `POST /v1/webhooks/secret/rotate`: a new one, which signs every delivery from then on (retries
 * of earlier events included); the old one signs nothing more. Keys with the `speech` scope,
 * which create the jobs whose webhooks it signs; never client tokens, which run in browsers and
 * apps that must not be able to forge the account's webhooks.
 */
export const webhookSecretRoute = new Hono<AppEnv>();

const WebhookSecretSchema = z
  .object({
    object: z.literal('webhook_secret'),
    secret: z.string().describe('`whsec_` and the base64 of 32 random bytes: the key of the Standard Webhooks signature (its libraries take it as is).'),
    created_at: z.string().describe('When this secret was made (first use, or the last rotation).'),
  })
  .meta({ id: 'WebhookSecret' });

const SIGNATURE_DESCRIPTION = `Every webhook is a POST of JSON with three headers, as the Standard Webhooks spec (standardwebhooks.com) has them: \`${WEBHOOK_HEADERS.id}\` (the event's id, the same on every retry: drop a repeat), \`${WEBHOOK_HEADERS.timestamp}\` (Unix seconds of the attempt: refuse one more than 5 minutes off) and \`${WEBHOOK_HEADERS.signature}\`, \`v1,<base64 HMAC-SHA256>\` over \`<id>.<timestamp>.<body>\` keyed with the bytes the secret's base64 encodes. The spec's libraries verify it with this secret. An attempt that gets no 2xx within 10 s, a 5xx, 408, 409, 425 or 429 is retried with exponential backoff, 6 attempts in all; another 4xx, or a redirect (not followed), is final.`;

const noStore = { 'cache-control': 'no-store' };
const secretObject = ({ secret, created_at }: WebhookSecret) => ({ object: 'webhook_secret', secret, created_at }) satisfies z.infer<typeof WebhookSecretSchema>;

const getSecretDocs = describeRoute({
  tags: ['Webhooks'],
  operationId: 'getWebhookSecret',
  summary: 'Get the webhook signing secret',
  description: `The secret that signs the account's webhooks (a job's \`webhook_url\`), made on the first call. ${SIGNATURE_DESCRIPTION}`,
  security: apiKeySecurity('speech'),
  responses: { 200: jsonResponse('The secret.', WebhookSecretSchema), ...errorResponses(API_KEY_ERRORS) },
});

const rotateSecretDocs = describeRoute({
  tags: ['Webhooks'],
  operationId: 'rotateWebhookSecret',
  summary: 'Rotate the webhook signing secret',
  description:
    'Replaces the secret at once: every delivery attempt from now on, retries of earlier events included, is signed with the new one, and the old one signs nothing more. An attempt already on its way when this answers may still carry the old signature.',
  security: apiKeySecurity('speech'),
  responses: { 200: jsonResponse('The new secret.', WebhookSecretSchema), ...errorResponses(API_KEY_ERRORS) },
});

webhookSecretRoute.get('/v1/webhooks/secret', getSecretDocs, apiKeyAuth('speech'), async (c) => {
  const stored = await new D1WebhookSecrets(c.env.DB).getOrCreate(c.get('apiKey').account_id);
  return c.json(secretObject(stored), 200, noStore);
});

webhookSecretRoute.post('/v1/webhooks/secret/rotate', rotateSecretDocs, apiKeyAuth('speech'), async (c) => {
  const stored = await new D1WebhookSecrets(c.env.DB).rotate(c.get('apiKey').account_id);
  return c.json(secretObject(stored), 200, noStore);
});
