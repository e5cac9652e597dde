import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../test/openapi-operations.ts';
import { useStack } from '../../test/harness/stack.ts';

// A page on another origin calling the public API, as a browser would: its preflight, then the call.
const stack = useStack();
const PAGE = 'http://localhost:5173';

/** Response headers any page may read without their being exposed (the fetch standard's safelist), and the connection's own. */
const READABLE_WITHOUT_EXPOSING = new Set(['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma']);
const TRANSPORT = new Set(['connection', 'date', 'keep-alive', 'transfer-encoding']);

const preflight = (path: string, method: string, requestHeaders: string) =>
  stack.edge.fetch(path, { method: 'OPTIONS', headers: { origin: PAGE, 'access-control-request-method': method, 'access-control-request-headers': requestHeaders } });

/** What the API reads from a request (public-api-cors.ts). */
const REQUEST_HEADERS = 'authorization,content-type,x-request-id';

const listed = (value: string | null) => (value ?? '').split(',').map((name) => name.trim().toLowerCase());

/** The headers of a response a page could not read unless they were exposed. */
const headersToExpose = (response: Response) =>
  [...response.headers.keys()].filter((name) => !READABLE_WITHOUT_EXPOSING.has(name) && !TRANSPORT.has(name) && !name.startsWith('access-control-'));

describe('preflight of the public API', () => {
  it('answers 204 with the methods and every request header the API reads', async () => {
    const response = await preflight('/v1/audio/speech', 'POST', REQUEST_HEADERS);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(listed(response.headers.get('access-control-allow-methods'))).toContain('post');
    expect(listed(response.headers.get('access-control-allow-headers'))).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-request-id']));
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });

  it('allows every header the official openai client sends, so that it works from a page', async () => {
    const sent = new Set<string>();
    const recording: typeof fetch = (input, init) => {
      for (const name of new Headers(init?.headers).keys()) sent.add(name);
      return fetch(input, init);
    };
    const client = new OpenAI({ baseURL: `${stack.edge.url}/v1`, apiKey: stack.key, fetch: recording, organization: 'org', project: 'project' });
    await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hi.', response_format: 'pcm' })).arrayBuffer();
    // What a browser may send without asking, and what the API reads, aside.
    const extra = [...sent].filter((name) => !['accept', 'content-length', 'user-agent', ...REQUEST_HEADERS.split(',')].includes(name));
    expect(extra.length).toBeGreaterThan(5);
    const response = await preflight('/v1/audio/speech', 'POST', [...sent].join(','));
    expect(response.status).toBe(204);
    const allowed = listed(response.headers.get('access-control-allow-headers'));
    expect(extra.filter((name) => !allowed.includes(name))).toEqual([]);
  });

  it('allows every method the OpenAPI document gives a /v1 path', async () => {
    const document = (await (await fetch(`${stack.edge.url}/openapi.json`)).json()) as OpenApiDocument;
    const publicPaths = Object.entries(document.paths).filter(([path]) => path.startsWith('/v1/'));
    expect(publicPaths.length).toBeGreaterThan(5);
    for (const [path, operations] of publicPaths) {
      for (const method of Object.keys(operations)) {
        const response = await preflight(path.replaceAll(/\{[^}]+\}/g, 'x'), method.toUpperCase(), REQUEST_HEADERS);
        expect(response.status, `${method} ${path}`).toBe(204);
        expect(listed(response.headers.get('access-control-allow-methods')), `${method} ${path}`).toContain(method);
      }
    }
  });
});

describe('answers of the public API to a page', () => {
  const speak = (body: Record<string, unknown>) =>
    stack.edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key: stack.key,
      headers: { origin: PAGE, 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Hello there.', response_format: 'pcm', ...body }),
    });

  it('a speech answer exposes every header it carries (audio, timings, limits, request id)', async () => {
    // Detected languages come when none is named; the format header with SSE.
    for (const response of [await speak({}), await speak({ stream_format: 'sse' })]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const exposed = listed(response.headers.get('access-control-expose-headers'));
      for (const name of ['x-request-id', 'server-timing', 'x-tts-model', 'x-audio-sample-rate', 'x-ratelimit-remaining-requests', 'x-credits-remaining']) {
        expect(response.headers.has(name), name).toBe(true);
      }
      expect(headersToExpose(response).filter((name) => !exposed.includes(name))).toEqual([]);
      await response.arrayBuffer();
    }
  });

  it('every response header the OpenAPI document names for a /v1 operation is exposed', async () => {
    const document = (await (await fetch(`${stack.edge.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
    };
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const operation of Object.values(operations)) {
        for (const response of Object.values(operation.responses)) for (const name of Object.keys(response.headers ?? {})) documented.add(name.toLowerCase());
      }
    }
    expect(documented.size).toBeGreaterThan(10);
    const models = await stack.edge.fetch('/v1/models', { key: stack.key, headers: { origin: PAGE } });
    const exposed = listed(models.headers.get('access-control-expose-headers'));
    const notExposed = [...documented].filter((name) => !READABLE_WITHOUT_EXPOSING.has(name) && !exposed.includes(name));
    expect(notExposed).toEqual([]);
  });
});
