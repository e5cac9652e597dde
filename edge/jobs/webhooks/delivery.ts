/**
 * One attempt to deliver a webhook, and when to try again. The job's Durable Object drives the
 * attempts from its alarm: it calls `deliverWebhook` (reading the account's secret each time, so
 * that a rotated secret signs every attempt after the rotation), then `nextWebhookAttempt` for
 * what to do with the answer.
 */
import { webhookHeaders } from './signing.ts';

/** Attempts in all, the first included: with a 30 s base, the last is about 15 minutes after the first. */
export const MAX_WEBHOOK_ATTEMPTS = 6;
/** How long a receiver may take to answer; after this the attempt counts as a network failure. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** The longest wait between two attempts, whatever the base. */
export const MAX_WEBHOOK_RETRY_DELAY_MS = 6 * 60 * 60 * 1000;

export type DeliveryResult = { ok: true; status: number } | { ok: false; status?: number; error: string; retryable: boolean };

/**
 * Statuses other than 2xx that are worth repeating: a timeout, a conflict or "too early" the
 * receiver may resolve, a rate limit, and every 5xx. Any other 4xx means the receiver read the
 * request and refused it (a wrong path, a signature it does not accept): the same bytes would be
 * refused again, so the job reports the failure at once instead of hours of retries.
 */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);
export const isRetryableStatus = (status: number): boolean => status >= 500 || RETRYABLE_4XX.has(status);

export interface WebhookDelivery {
  url: string;
  /** The account's secret now (`whsec_…`). */
  secret: string;
  /** The event's id: the same on every attempt, so the receiver can drop a repeat. */
  eventId: string;
  /** The JSON sent, exactly as signed. */
  body: string;
  /** This attempt's time, ms since the epoch (the signature's timestamp). */
  now?: number;
  timeoutMs?: number;
}

export const WEBHOOK_USER_AGENT = 'open-tts-webhooks/1';

export async function deliverWebhook({ url, secret, eventId, body, now = Date.now(), timeoutMs = WEBHOOK_TIMEOUT_MS }: WebhookDelivery): Promise<DeliveryResult> {
  const headers = await webhookHeaders(secret, { id: eventId, timestampSeconds: Math.floor(now / 1000), body });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': WEBHOOK_USER_AGENT },
      body,
      // A redirect is not followed: the URL the account gave is the one that gets the event.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    return { ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : `could not reach ${new URL(url).host}: ${error instanceof Error ? error.message : String(error)}`, retryable: true };
  }
  // Only the status matters: the body is discarded unread.
  await response.body?.cancel();
  const { status } = response;
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) return { ok: false, status, error: `answered ${status} (a redirect, not followed: give the final URL)`, retryable: false };
  return { ok: false, status, error: `answered ${status}`, retryable: isRetryableStatus(status) };
}

/**
 * How long to wait after failed attempt number `attempt` (1 after the first): `baseMs` doubled
 * each time, of which a random half is taken off (jitter), so that the deliveries of many jobs
 * failing together against one receiver do not come back together. Never more than the cap.
 */
export function webhookRetryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const full = Math.min(baseMs * 2 ** (attempt - 1), MAX_WEBHOOK_RETRY_DELAY_MS);
  return Math.round(full / 2 + (full / 2) * random());
}

export interface WebhookAttemptState {
  /** Attempts made so far, the one just answered included. */
  attempts: number;
  /** What the last attempt got. */
  result: DeliveryResult;
}

export type NextWebhookStep = { action: 'delivered'; status: number } | { action: 'retry'; delayMs: number } | { action: 'give_up'; error: string; status?: number };

/** After an attempt: delivered, try again after a delay, or give up (the job then records that the webhook failed, and why). */
export function nextWebhookAttempt({ attempts, result }: WebhookAttemptState, baseMs: number, random: () => number = Math.random): NextWebhookStep {
  if (result.ok) return { action: 'delivered', status: result.status };
  if (result.retryable && attempts < MAX_WEBHOOK_ATTEMPTS) return { action: 'retry', delayMs: webhookRetryDelayMs(attempts, baseMs, random) };
  const why = result.retryable ? `${result.error}, after ${attempts} attempts` : result.error;
  return { action: 'give_up', error: why, ...(result.status === undefined ? {} : { status: result.status }) };
}
