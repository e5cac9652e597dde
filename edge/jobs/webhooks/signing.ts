/**
 * Signing webhook deliveries, in the layout of the Standard Webhooks spec
 * (https://www.standardwebhooks.com): three headers, `webhook-id` (one per event, the same on
 * every retry, so a receiver can drop a repeat), `webhook-timestamp` (Unix seconds of this
 * attempt) and `webhook-signature`, `v1,<base64 HMAC-SHA256>` over `<id>.<timestamp>.<body>`,
 * keyed with the bytes the secret's base64 (after `whsec_`) encodes.
 *
 * Chosen over Stripe's `t=…,v1=<hex>` over `<t>.<body>` because it is Stripe's scheme written
 * down as an open spec: receivers verify with published libraries (`standardwebhooks` on npm,
 * PyPI, Go, Ruby…, Svix's) instead of code we would have to explain; the event id is signed too,
 * so it cannot be swapped to defeat a receiver's de-duplication; and a header may carry several
 * space-separated signatures, which lets a later secret rotation keep a grace period.
 *
 * WebCrypto only, so the same code runs in workerd and Node.
 */

export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** How far a delivery's timestamp may be from the receiver's clock, either way (the spec's suggestion). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

function base64ToBytes(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** The HMAC key a `whsec_<base64>` secret stands for: the decoded bytes, as the spec's libraries key it. */
function hmacKey(secret: string): Promise<HmacKey> {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  const bytes = base64ToBytes(encoded);
  if (!bytes || bytes.length === 0) throw new Error('a webhook secret is whsec_ followed by base64');
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

const signedContent = (id: string, timestampSeconds: number, body: string) => encoder.encode(`${id}.${timestampSeconds}.${body}`);

export interface WebhookMessage {
  /** The event's id: the same on every attempt to deliver it. */
  id: string;
  /** When this attempt is sent, Unix seconds. */
  timestampSeconds: number;
  /** The exact bytes sent, as text (JSON). */
  body: string;
}

/** The `webhook-signature` header's value for one attempt. */
export async function signWebhook(secret: string, { id, timestampSeconds, body }: WebhookMessage): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), signedContent(id, timestampSeconds, body));
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

/** The three headers of one attempt. */
export async function webhookHeaders(secret: string, message: WebhookMessage): Promise<Record<string, string>> {
  return {
    [WEBHOOK_HEADERS.id]: message.id,
    [WEBHOOK_HEADERS.timestamp]: String(message.timestampSeconds),
    [WEBHOOK_HEADERS.signature]: await signWebhook(secret, message),
  };
}

export interface VerifyOptions {
  toleranceSeconds?: number;
  /** The receiver's clock, ms since the epoch. */
  now?: number;
}

/**
 * Whether `headers` (the three above, by name) sign `body` with `secret`, at a timestamp within
 * the tolerance of `now`. Any one `v1,` signature of a space-separated list may match. The compare
 * is WebCrypto's `verify`, which takes the same time however many bytes agree.
 */
export async function verifyWebhook(secret: string, headers: Readonly<Record<string, string | undefined>>, body: string, options: VerifyOptions = {}): Promise<boolean> {
  const id = headers[WEBHOOK_HEADERS.id];
  const timestamp = headers[WEBHOOK_HEADERS.timestamp];
  const signatures = headers[WEBHOOK_HEADERS.signature];
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
  const timestampSeconds = Number(timestamp);
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestampSeconds) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const key = await hmacKey(secret);
  const content = signedContent(id, timestampSeconds, body);
  for (const entry of signatures.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    const mac = version === 'v1' && encoded ? base64ToBytes(encoded) : null;
    if (mac && (await crypto.subtle.verify('HMAC', key, mac, content))) return true;
  }
  return false;
}

/** A new account secret: 32 random bytes, `whsec_` and standard base64 (the spec's libraries decode that, not base64url). */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
}
