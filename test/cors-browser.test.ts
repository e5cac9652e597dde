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

/* Web Audio as the page has it (this file compiles against Node's types, without the DOM's). */
declare const OfflineAudioContext: new (channels: number, length: number, sampleRate: number) => { decodeAudioData(data: ArrayBuffer): Promise<{ duration: number }> };

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
  /** How long the audio lasts as the page's Web Audio decodes it; null for an answer that is not audio. */
  audioSeconds: number | null;
}

/**
 * `fetch` as the page makes it: what it can read of the answer, or the error fetch threw. Each
 * admitted request of an account needs its own `x-request-id`.
 */
function fetchFromPage(path: string, key: string, body?: unknown, requestId = 'page-request-0001'): Promise<PageAnswer | { failed: string }> {
  return page.evaluate(
    async ({ url, key, body, requestId }) => {
      try {
        const response = await fetch(url, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const names = [
          'content-type',
          'x-request-id',
          'x-tts-model',
          'x-audio-sample-rate',
          'x-credits-remaining',
          'server-timing',
          'www-authenticate',
          'x-token-remaining-characters',
          'x-token-remaining-requests',
        ];
        const bytes = new Uint8Array(await response.arrayBuffer());
        const isAudio = response.ok && (response.headers.get('content-type') ?? '').startsWith('audio/');
        const audio = isAudio ? await new OfflineAudioContext(1, 1, 24_000).decodeAudioData(bytes.slice().buffer) : null;
        return {
          status: response.status,
          headers: Object.fromEntries(names.map((name) => [name, response.headers.get(name)])),
          body: new TextDecoder().decode(bytes.slice(0, 400)),
          bytes: bytes.length,
          audioSeconds: audio?.duration ?? null,
        };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    { url: `${stack.edge.url}${path}`, key, body, requestId },
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

describe('a page on another origin, with a client token', () => {
  let requests = 0;
  /** A new request id for each call: the tokens below share their key's account. */
  const nextRequestId = () => `token-request-${String(++requests).padStart(4, '0')}`;
  const fromPage = (token: string, body: unknown = SPEECH) => fetchFromPage('/v1/audio/speech', token, body, nextRequestId());
  const refusal = (answer: PageAnswer | { failed: string }) => {
    expect(answer).not.toHaveProperty('failed');
    const { status, body, headers } = answer as PageAnswer;
    return { status, code: JSON.parse(body).error.code as string, headers };
  };

  let key: string;
  /** What the page's server does: mint a token with the key (from Node: no Origin). */
  async function mint(body: Record<string, unknown> = {}): Promise<{ id: string; token: string; expires_at: string }> {
    const response = await fetch(`${stack.edge.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; token: string; expires_at: string };
  }

  beforeAll(async () => {
    ({ key } = await stack.edge.createKey());
  });

  it('gets audio from POST /v1/audio/speech (the preflight for its Authorization passes), and reads what the token has left', async () => {
    const { token } = await mint({ max_characters: 1000, max_requests: 10 });
    const answer = (await fromPage(token)) as PageAnswer;
    expect(answer).not.toHaveProperty('failed');
    expect(answer.status).toBe(200);
    expect(answer.body.slice(0, 4)).toBe('RIFF');
    expect(answer.bytes).toBeGreaterThan(10_000);
    expect(answer.audioSeconds).toBeGreaterThan(0.5);
    expect(answer.headers).toMatchObject({
      'content-type': 'audio/wav',
      'x-tts-model': expect.any(String),
      'x-token-remaining-characters': String(1000 - [...SPEECH.input].length),
      'x-token-remaining-requests': '9',
    });
  });

  it('is served by a token that lists its origin, and reads the 403 origin_not_allowed of one that lists another', async () => {
    const listed = await mint({ allowed_origins: [pageOrigin] });
    expect(((await fromPage(listed.token)) as PageAnswer).status).toBe(200);
    const elsewhere = await mint({ allowed_origins: ['https://app.example.com'] });
    expect(refusal(await fromPage(elsewhere.token))).toMatchObject({ status: 403, code: 'origin_not_allowed' });
  });

  it("with an expired token reads the API's 401 token_expired, not a CORS failure", async () => {
    const { token, expires_at } = await mint({ ttl_seconds: 1 });
    // The edge runs on this machine's clock: wait until it is past the token's expiry.
    await expect.poll(() => Date.now(), { timeout: 5_000, interval: 50 }).toBeGreaterThan(Date.parse(expires_at));
    const { status, code, headers } = refusal(await fromPage(token));
    expect({ status, code }).toEqual({ status: 401, code: 'token_expired' });
    expect(headers['www-authenticate']).toBe('Bearer');
  });

  it("with a revoked token reads the API's 401 invalid_token, not a CORS failure", async () => {
    const { id, token } = await mint();
    const revoked = await fetch(`${stack.edge.url}/v1/tokens/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
    expect(revoked.status).toBe(200);
    const { status, code, headers } = refusal(await fromPage(token));
    expect({ status, code }).toEqual({ status: 401, code: 'invalid_token' });
    expect(headers['www-authenticate']).toBe('Bearer');
  });

  it("with an exhausted token reads the API's 402 token_exhausted and what is left, not a CORS failure", async () => {
    const single = await mint({ single_use: true });
    expect(((await fromPage(single.token)) as PageAnswer).status).toBe(200);
    const used = refusal(await fromPage(single.token));
    expect({ status: used.status, code: used.code }).toEqual({ status: 402, code: 'token_exhausted' });
    expect(used.headers['x-token-remaining-requests']).toBe('0');

    const small = await mint({ max_characters: 10 });
    const tooLong = refusal(await fromPage(small.token));
    expect({ status: tooLong.status, code: tooLong.code }).toEqual({ status: 402, code: 'token_exhausted' });
    expect(tooLong.headers['x-token-remaining-characters']).toBe('10');
  });

  it('opens the realtime socket with ?token= and hears audio; a token for another origin cannot open it', async () => {
    const speakOnSocket = (token: string) =>
      page.evaluate(
        ({ url }) =>
          new Promise<{ audioMessages: number; done: string } | { failed: string }>((resolve) => {
            const socket = new WebSocket(url);
            let audioMessages = 0;
            const deadline = setTimeout(() => resolve({ failed: 'no done within 20 s' }), 20_000);
            const end = (result: { audioMessages: number; done: string } | { failed: string }) => {
              clearTimeout(deadline);
              socket.close();
              resolve(result);
            };
            socket.onopen = () => {
              socket.send(JSON.stringify({ type: 'config', response_format: 'pcm' }));
              socket.send(JSON.stringify({ type: 'text', text: 'Hello from a socket on another site.' }));
              socket.send(JSON.stringify({ type: 'close' }));
            };
            socket.onmessage = ({ data }) => {
              const message = JSON.parse(String(data)) as { type: string; reason?: string; code?: string };
              if (message.type === 'audio') audioMessages++;
              if (message.type === 'error') end({ failed: `error ${message.code}` });
              if (message.type === 'done') end({ audioMessages, done: message.reason! });
            };
            socket.onerror = () => end({ failed: 'the socket did not open' });
          }),
        { url: `${stack.edge.url.replace(/^http/, 'ws')}/v1/audio/speech/stream?token=${encodeURIComponent(token)}` },
      );
    const listed = await mint({ scopes: ['realtime'], single_use: true, allowed_origins: [pageOrigin] });
    const heard = await speakOnSocket(listed.token);
    expect(heard).toEqual({ audioMessages: expect.any(Number), done: 'closed' });
    expect((heard as { audioMessages: number }).audioMessages).toBeGreaterThan(0);
    const elsewhere = await mint({ scopes: ['realtime'], allowed_origins: ['https://app.example.com'] });
    expect(await speakOnSocket(elsewhere.token)).toEqual({ failed: 'the socket did not open' });
  });
});
