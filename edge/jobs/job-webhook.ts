import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import type { JobSpec, JobView, WebhookState } from './job-types.ts';
import { deliverWebhook, MAX_WEBHOOK_ATTEMPTS, webhookRetryDelayMs } from './webhooks/delivery.ts';
import { webhookSecretFor } from './webhooks/account-secret.ts';

/** A finished job's webhook, due at once. */
export const webhookFor = (_spec: JobSpec, now: number): WebhookState => ({ status: 'pending', attempts: 0, next_attempt_at: new Date(now).toISOString() });

/**
 * One delivery attempt of a finished job's webhook (`job.completed` or `job.failed`, the job as
 * GET shows it), signed with the account's secret; the state after it: delivered, pending again
 * (after the backoff), or failed for good after MAX_WEBHOOK_ATTEMPTS. The job itself is finished
 * whatever becomes of its webhook, and says so in `webhook`.
 */
export async function deliverJobWebhook(env: Env, spec: JobSpec, view: JobView, state: WebhookState, now: number): Promise<WebhookState> {
  const attempts = (state.status === 'none' ? 0 : state.attempts) + 1;
  const event = { id: `evt_${spec.id}`, type: `job.${view.status}`, created_at: new Date(now).toISOString(), data: { ...view, webhook: undefined } };
  const secret = await webhookSecretFor(env, spec.account_id);
  const outcome = await deliverWebhook({ url: spec.webhook_url!, secret, eventId: event.id, body: JSON.stringify(event), now });
  if (outcome.ok) return { status: 'delivered', attempts, delivered_at: new Date(now).toISOString() };
  const lastError = outcome.status === undefined ? outcome.error : `HTTP ${outcome.status}: ${outcome.error}`;
  if (!outcome.retryable || attempts >= MAX_WEBHOOK_ATTEMPTS) return { status: 'failed', attempts, last_error: lastError };
  const next = now + webhookRetryDelayMs(attempts, edgeConfig(env).webhooks.retryBaseMs);
  return { status: 'pending', attempts, last_error: lastError, next_attempt_at: new Date(next).toISOString() };
}
