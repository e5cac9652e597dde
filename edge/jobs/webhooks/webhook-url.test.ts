import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/errors.ts';
import { checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from './webhook-url.ts';

const secure = { allowInsecure: false };
const insecure = { allowInsecure: true };

/** The refusal's message, or a failure when the URL was taken. */
function refusal(url: unknown, options = secure): string {
  try {
    checkWebhookUrl(url, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_webhook_url', param: 'webhook_url' });
    return (error as ApiError).message;
  }
  throw new Error(`${String(url)} was taken`);
}

describe('checkWebhookUrl', () => {
  it('takes a public https URL, as the URL parser writes it', () => {
    expect(checkWebhookUrl('https://hooks.example.com/tts?source=jobs', secure)).toBe('https://hooks.example.com/tts?source=jobs');
    expect(checkWebhookUrl('HTTPS://Example.COM', secure)).toBe('https://example.com/');
    expect(checkWebhookUrl('https://93.184.216.34:8443/in', secure)).toBe('https://93.184.216.34:8443/in');
  });

  it('refuses http, other schemes and what is no URL, saying why', () => {
    expect(refusal('http://hooks.example.com/')).toBe('webhook_url must be an https URL (it is http).');
    expect(refusal('ftp://hooks.example.com/')).toBe('webhook_url must be an https URL (it is ftp).');
    expect(refusal('hooks.example.com/in')).toBe('webhook_url is not a URL.');
    expect(refusal('')).toBe('webhook_url must be an https URL.');
    expect(refusal(42)).toBe('webhook_url must be an https URL.');
  });

  it('refuses credentials in the URL, even when insecure URLs are allowed', () => {
    expect(refusal('https://user:pass@hooks.example.com/')).toMatch(/user name or password/);
    expect(refusal('http://token@127.0.0.1:8080/', insecure)).toMatch(/user name or password/);
  });

  it('refuses a URL over the length limit', () => {
    const long = `https://hooks.example.com/${'a'.repeat(MAX_WEBHOOK_URL_LENGTH)}`;
    expect(refusal(long)).toBe(`webhook_url is ${long.length} characters long; the most is ${MAX_WEBHOOK_URL_LENGTH}.`);
    expect(checkWebhookUrl(long.slice(0, MAX_WEBHOOK_URL_LENGTH), secure)).toHaveLength(MAX_WEBHOOK_URL_LENGTH);
  });

  it('refuses internal hosts, in whatever form the parser normalizes', () => {
    for (const url of [
      'https://localhost/',
      'https://api.localhost/',
      'https://printer.local/',
      'https://127.0.0.1/',
      'https://2130706433/', // 127.0.0.1 as one number
      'https://10.1.2.3/',
      'https://172.20.0.1/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:127.0.0.1]/',
    ]) {
      expect(refusal(url), url).toMatch(/must be a public host/);
    }
    expect(checkWebhookUrl('https://172.32.0.1/', secure)).toBe('https://172.32.0.1/');
  });

  it('takes http and loopback when insecure webhooks are allowed (local development and tests)', () => {
    expect(checkWebhookUrl('http://127.0.0.1:9999/hook', insecure)).toBe('http://127.0.0.1:9999/hook');
    expect(checkWebhookUrl('https://localhost/', insecure)).toBe('https://localhost/');
    expect(refusal('ws://127.0.0.1/', insecure)).toBe('webhook_url must be an http or https URL.');
  });
});
