import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook, verifyWebhook, WEBHOOK_HEADERS, webhookHeaders } from './signing.ts';

const secret = generateWebhookSecret();
const now = Date.UTC(2026, 11, 5, 12, 0, 0);
const message = { id: 'evt_0123456789abcdef', timestampSeconds: now / 1000, body: '{"type":"job.completed","data":{"id":"job_1"}}' };

describe('webhook signatures', () => {
  it('a secret is whsec_ and the standard base64 of 32 random bytes', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('verify with the secret that signed them', async () => {
    const headers = await webhookHeaders(secret, message);
    expect(headers[WEBHOOK_HEADERS.signature]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(await verifyWebhook(secret, headers, message.body, { now })).toBe(true);
  });

  it("are the Standard Webhooks spec's: its reference library verifies ours, and we verify its", async () => {
    const reference = new Webhook(secret);
    const headers = await webhookHeaders(secret, message);
    // The library checks the timestamp against its own clock: sign this attempt now.
    const current = { ...message, timestampSeconds: Math.floor(Date.now() / 1000) };
    expect(reference.verify(current.body, await webhookHeaders(secret, current))).toEqual(JSON.parse(message.body));
    expect(reference.sign(message.id, new Date(now), message.body)).toBe(headers[WEBHOOK_HEADERS.signature]);
    expect(() => reference.verify(current.body, { ...headers, [WEBHOOK_HEADERS.timestamp]: String(current.timestampSeconds) })).toThrow();
  });

  it('do not verify with another secret', async () => {
    const headers = await webhookHeaders(secret, message);
    expect(await verifyWebhook(generateWebhookSecret(), headers, message.body, { now })).toBe(false);
  });

  it('do not verify a changed body, id or timestamp', async () => {
    const headers = await webhookHeaders(secret, message);
    expect(await verifyWebhook(secret, headers, message.body.replace('completed', 'failed'), { now })).toBe(false);
    expect(await verifyWebhook(secret, headers, `${message.body} `, { now })).toBe(false);
    expect(await verifyWebhook(secret, { ...headers, [WEBHOOK_HEADERS.id]: 'evt_other' }, message.body, { now })).toBe(false);
    expect(await verifyWebhook(secret, { ...headers, [WEBHOOK_HEADERS.timestamp]: String(message.timestampSeconds + 1) }, message.body, { now })).toBe(false);
  });

  it('do not verify outside the tolerance, either way, and do within it', async () => {
    const headers = await webhookHeaders(secret, message);
    expect(await verifyWebhook(secret, headers, message.body, { now: now + 300_000 })).toBe(true);
    expect(await verifyWebhook(secret, headers, message.body, { now: now + 301_000 })).toBe(false);
    expect(await verifyWebhook(secret, headers, message.body, { now: now - 301_000 })).toBe(false);
    expect(await verifyWebhook(secret, headers, message.body, { now: now + 60_000, toleranceSeconds: 30 })).toBe(false);
  });

  it('verify when any one of several signatures matches, and never a malformed header', async () => {
    const signature = await signWebhook(secret, message);
    const other = await signWebhook(generateWebhookSecret(), message);
    const headers = await webhookHeaders(secret, message);
    expect(await verifyWebhook(secret, { ...headers, [WEBHOOK_HEADERS.signature]: `${other} ${signature}` }, message.body, { now })).toBe(true);
    for (const malformed of [signature.replace('v1,', 'v2,'), signature.slice(3), 'v1,', 'v1,!!!', '']) {
      expect(await verifyWebhook(secret, { ...headers, [WEBHOOK_HEADERS.signature]: malformed }, message.body, { now }), malformed).toBe(false);
    }
    expect(await verifyWebhook(secret, { ...headers, [WEBHOOK_HEADERS.timestamp]: 'soon' }, message.body, { now })).toBe(false);
  });
});
