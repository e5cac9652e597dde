import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeliveryResult, deliverWebhook, type WebhookDelivery, MAX_WEBHOOK_ATTEMPTS, MAX_WEBHOOK_RETRY_DELAY_MS, nextWebhookAttempt, webhookRetryDelayMs } from './delivery.ts';
import { generateWebhookSecret, verifyWebhook } from './signing.ts';

// Deliveries to a real HTTP server on loopback, whose path says how to answer: from Node, and
// from workerd (where the job's Durable Object delivers), through a Worker that calls deliverWebhook.
interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const path = request.url ?? '/';
      if (path === '/silent') return; // never answers
      if (path === '/redirect') return response.writeHead(302, { location: `${base}/ok` }).end();
      response.writeHead(Number(path.slice(1)) || 204).end('ignored');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

/** A Worker answering each POST (a WebhookDelivery as JSON) with what deliverWebhook returned for it. */
async function deliveringWorker(): Promise<string> {
  const contents = `
    import { deliverWebhook } from './delivery.ts';
    export default { async fetch(request) { return Response.json(await deliverWebhook(await request.json())); } };`;
  const result = await build({
    stdin: { contents, resolveDir: new URL('.', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
let workerd: Miniflare;
let workerdUrl: URL;
beforeAll(async () => {
  workerd = new Miniflare({ modules: true, script: await deliveringWorker(), compatibilityDate: '2026-04-01' });
  workerdUrl = await workerd.ready;
});

afterAll(async () => {
  await workerd?.dispose();
  server.closeAllConnections();
  server.close();
});

const RUNTIMES: Record<string, (delivery: WebhookDelivery) => Promise<DeliveryResult>> = {
  node: deliverWebhook,
  workerd: async (delivery) => (await (await fetch(workerdUrl, { method: 'POST', body: JSON.stringify(delivery) })).json()) as DeliveryResult,
};

const secret = generateWebhookSecret();
const body = JSON.stringify({ type: 'job.completed', data: { id: 'job_1' } });

describe.each(Object.keys(RUNTIMES))('deliverWebhook in %s', (runtime) => {
  const deliverTo = (url: string, extra: { timeoutMs?: number } = {}) => RUNTIMES[runtime]!({ url, secret, eventId: 'evt_1', body, ...extra });
  const deliver = (path: string, extra: { timeoutMs?: number } = {}) => deliverTo(base + path, extra);

  it('POSTs the body as JSON, signed: a 2xx is delivered', async () => {
    received.length = 0;
    expect(await deliver('/200')).toEqual({ ok: true, status: 200 });
    expect(await deliver('/204')).toEqual({ ok: true, status: 204 });
    expect(received).toHaveLength(2);
    const [first] = received;
    expect(first!.body).toBe(body);
    expect(first!.headers['content-type']).toBe('application/json');
    expect(first!.headers['webhook-id']).toBe('evt_1');
    const headers = first!.headers as Record<string, string>;
    expect(await verifyWebhook(secret, headers, first!.body)).toBe(true);
    expect(await verifyWebhook(generateWebhookSecret(), headers, first!.body)).toBe(false);
  });

  it('retries 5xx, 408 and 429, and not another 4xx', async () => {
    for (const status of [500, 502, 503, 408, 429]) expect(await deliver(`/${status}`)).toEqual({ ok: false, status, error: `answered ${status}`, retryable: true });
    for (const status of [400, 401, 403, 404, 410, 422]) expect(await deliver(`/${status}`)).toEqual({ ok: false, status, error: `answered ${status}`, retryable: false });
  });

  it('does not follow a redirect', async () => {
    received.length = 0;
    expect(await deliver('/redirect')).toMatchObject({ ok: false, status: 302, retryable: false });
    expect(received).toHaveLength(1);
  });

  it('retries a receiver that is down or does not answer in time', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await deliverTo(`http://127.0.0.1:${port}/`);
    expect(down).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining(`could not reach 127.0.0.1:${port}`) });
    expect(down).not.toHaveProperty('status');

    const started = Date.now();
    expect(await deliver('/silent', { timeoutMs: 200 })).toEqual({ ok: false, error: 'no answer within 200 ms', retryable: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('retries', () => {
  it('back off exponentially, with up to half of each wait taken off at random, and a cap', () => {
    expect([1, 2, 3, 4].map((attempt) => webhookRetryDelayMs(attempt, 1_000, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((attempt) => webhookRetryDelayMs(attempt, 1_000, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(webhookRetryDelayMs(40, 30_000, () => 1)).toBe(MAX_WEBHOOK_RETRY_DELAY_MS);
    const delays = Array.from({ length: 200 }, () => webhookRetryDelayMs(3, 1_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4_000);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('stop when delivered, at a final refusal, or after the last attempt', () => {
    const failed = { ok: false, status: 503, error: 'answered 503', retryable: true } as const;
    expect(nextWebhookAttempt({ attempts: 2, result: { ok: true, status: 200 } }, 50)).toEqual({ action: 'delivered', status: 200 });
    expect(nextWebhookAttempt({ attempts: 1, result: failed }, 50, () => 1)).toEqual({ action: 'retry', delayMs: 50 });
    expect(nextWebhookAttempt({ attempts: MAX_WEBHOOK_ATTEMPTS - 1, result: failed }, 50)).toMatchObject({ action: 'retry' });
    expect(nextWebhookAttempt({ attempts: MAX_WEBHOOK_ATTEMPTS, result: failed }, 50)).toEqual({ action: 'give_up', status: 503, error: `answered 503, after ${MAX_WEBHOOK_ATTEMPTS} attempts` });
    expect(nextWebhookAttempt({ attempts: 1, result: { ok: false, status: 404, error: 'answered 404', retryable: false } }, 50)).toEqual({ action: 'give_up', status: 404, error: 'answered 404' });
    expect(nextWebhookAttempt({ attempts: MAX_WEBHOOK_ATTEMPTS, result: { ok: false, error: 'no answer within 10000 ms', retryable: true } }, 50)).toEqual({
      action: 'give_up',
      error: `no answer within 10000 ms, after ${MAX_WEBHOOK_ATTEMPTS} attempts`,
    });
  });
});
