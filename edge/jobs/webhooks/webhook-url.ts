/**
 * The `webhook_url` a job is created with: checked when the job is created, so that a URL that
 * can never be delivered to is a 400 then, not a failure the account learns of when the job ends.
 */
import { invalidRequest } from '../../../shared/errors.ts';
import { errorCatalogue } from '../../openapi/error-catalogue.ts';

export const WEBHOOK_URL_ERRORS = errorCatalogue({ 400: ['invalid_webhook_url'] });
export const MAX_WEBHOOK_URL_LENGTH = 2_048;

/**
 * Hosts a deployed edge never delivers to: names that only mean something inside a network, and
 * IP literals of loopback, private, link-local (cloud metadata) and shared address space. A name
 * that resolves to one is not caught here; Workers' own fetch does not reach private networks.
 */
function isInternalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || /\.(localhost|local|internal|home\.arpa)$/.test(host)) return true;
  const ipv4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)?.slice(1).map(Number);
  if (ipv4) {
    const [a, b] = ipv4 as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (host.startsWith('[')) {
    const ipv6 = host.slice(1, -1);
    return ipv6 === '::' || ipv6 === '::1' || /^f[cd]/.test(ipv6) || /^fe[89ab]/.test(ipv6) || ipv6.startsWith('::ffff:');
  }
  return false;
}

const refuse = (message: string) => invalidRequest('invalid_webhook_url', message, 'webhook_url');

/**
 * The URL to deliver to (as the URL parser writes it), or a 400 `invalid_webhook_url` saying
 * what is wrong. `allowInsecure` (ALLOW_INSECURE_WEBHOOKS, for local development and tests) also
 * takes http and internal hosts such as http://127.0.0.1.
 */
export function checkWebhookUrl(url: unknown, { allowInsecure }: { allowInsecure: boolean }): string {
  if (typeof url !== 'string' || url.trim() === '') throw refuse('webhook_url must be an https URL.');
  if (url.length > MAX_WEBHOOK_URL_LENGTH) throw refuse(`webhook_url is ${url.length} characters long; the most is ${MAX_WEBHOOK_URL_LENGTH}.`);
  if (!URL.canParse(url)) throw refuse('webhook_url is not a URL.');
  const parsed = new URL(url);
  const schemes = allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(parsed.protocol)) {
    throw refuse(allowInsecure ? 'webhook_url must be an http or https URL.' : `webhook_url must be an https URL (it is ${parsed.protocol.slice(0, -1)}).`);
  }
  // The signature is what proves the sender; a password in the URL would be stored and logged with it.
  if (parsed.username || parsed.password) throw refuse('webhook_url must not carry a user name or password: check the webhook-signature header instead.');
  if (!allowInsecure && isInternalHost(parsed.hostname)) throw refuse(`webhook_url must be a public host (${parsed.hostname} is not).`);
  return parsed.href;
}
