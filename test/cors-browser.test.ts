import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from './harness/browser.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

/**
 * The public API from a web page on another origin, in headless Chromium: the browser's own CORS
 * checks decide what the page may read. The page is served by a tiny server on another port, so
 * every call to the edge is cross-origin (with a preflight, for its Authorization header).
 */

let stack: StackHarness;
let pageServer: Server;
let pageOrigin: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  // The official openai client as a page would bundle it.
  const client = await build({ stdin: { contents: "export { default } from 'openai';", resolveDir: process.cwd() }, bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  pageServer = createServer((request, response) =>
    request.url === '/openai.js'
      ? response.writeHead(200, { 'content-type': 'text/javascript' }).end(client.outputFiles[0]!.text)
      : response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>Another site</title><script type="module">import OpenAI from "/openai.js"; window.OpenAI = OpenAI;</script>'),
  );
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--disable-dev-shm-usage'] });
  page = await browser.newPage();
  await page.goto(`${pageOrigin}/`);
  await page.waitForFunction(() => 'OpenAI' in globalThis);
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
  await stack?.stop();
});

interface PageAnswer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
  bytes: number;
}

/** `fetch` as the page makes it: what it can read of the answer, or the error fetch threw. */
function fetchFromPage(path: string, key: string, body?: unknown): Promise<PageAnswer | { failed: string }> {
  return page.evaluate(
    async ({ url, key, body }) => {
      try {
        const response = await fetch(url, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': 'page-request-0001' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const names = ['content-type', 'x-request-id', 'x-tts-model', 'x-audio-sample-rate', 'x-credits-remaining', 'server-timing', 'www-authenticate'];
        const bytes = new Uint8Array(await response.arrayBuffer());
        return {
          status: response.status,
          headers: Object.fromEntries(names.map((name) => [name, response.headers.get(name)])),
          body: new TextDecoder().decode(bytes.slice(0, 400)),
          bytes: bytes.length,
        };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    { url: `${stack.edge.url}${path}`, key, body },
  );
}

const SPEECH = { input: 'Hello from another site.', response_format: 'wav' };

describe('a page on another origin', () => {
  it('gets audio from POST /v1/audio/speech, and reads its headers', async () => {
    const answer = (await fetchFromPage('/v1/audio/speech', stack.key, SPEECH)) as PageAnswer;
    expect(answer).not.toHaveProperty('failed');
    expect(answer.status).toBe(200);
    expect(answer.body.slice(0, 4)).toBe('RIFF');
    expect(answer.bytes).toBeGreaterThan(10_000);
    expect(answer.headers).toMatchObject({
      'content-type': 'audio/wav',
      'x-request-id': 'page-request-0001',
      'x-tts-model': expect.any(String),
      'x-audio-sample-rate': '24000',
      'x-credits-remaining': expect.stringMatching(/^\d+$/),
      'server-timing': expect.stringContaining('first_audio'),
    });
  });

  it("with a wrong key reads the API's 401 JSON, not a CORS failure", async () => {
    const answer = (await fetchFromPage('/v1/audio/speech', 'tts_wrong_key_for_this_test_0000', SPEECH)) as PageAnswer;
    expect(answer).not.toHaveProperty('failed');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(answer.body).error.code).toBe('invalid_api_key');
  });

  it("is served by a key that lists its origin, and reads the 403 of one that does not", async () => {
    const listed = await stack.edge.createKey({ allowed_origins: [pageOrigin] });
    expect(((await fetchFromPage('/v1/audio/speech', listed.key, SPEECH)) as PageAnswer).status).toBe(200);
    const elsewhere = await stack.edge.createKey({ allowed_origins: ['https://app.example.com'] });
    const refused = (await fetchFromPage('/v1/audio/speech', elsewhere.key, SPEECH)) as PageAnswer;
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('origin_not_allowed');
  });

  it('gets audio through the official openai client (its own headers pass the preflight)', async () => {
    const answer = await page.evaluate(
      async ({ baseURL, apiKey }) => {
        const { OpenAI } = globalThis as unknown as { OpenAI: typeof import('openai').default };
        const client = new OpenAI({ baseURL, apiKey, dangerouslyAllowBrowser: true, maxRetries: 0 });
        try {
          const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello from the client.', response_format: 'wav' });
          return { bytes: (await speech.arrayBuffer()).byteLength };
        } catch (error) {
          return { failed: String(error) };
        }
      },
      { baseURL: `${stack.edge.url}/v1`, apiKey: stack.key },
    );
    expect(answer).toEqual({ bytes: expect.any(Number) });
    expect((answer as { bytes: number }).bytes).toBeGreaterThan(10_000);
  });

  it('cannot call the admin API: the browser refuses it', async () => {
    expect(await fetchFromPage('/admin/pool', stack.edge.adminToken)).toEqual({ failed: expect.stringContaining('Failed to fetch') });
  });
});
