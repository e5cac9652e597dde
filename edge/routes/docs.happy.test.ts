import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../shared/audio/formats.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { documentedCodes, documentedErrorShape, type OpenApiDocument } from '../../test/openapi-operations.ts';

// GET /openapi.json, generated from the routes when the playground is built and served as a
// static asset, and GET /docs, the reference that renders it.
const OPENAPI_PATH = '/openapi.json';
const DOCS_PATH = '/docs';
const SCALAR_SCRIPT_PATH = '/vendor/scalar-api-reference.js';

/*
 * The app and its document's generator are imported by a path in a variable, which the type
 * checker does not follow: tests are checked against Node's types, the app's modules need the Workers'.
 */

/** The routes Hono registered. */
async function registeredRoutes(): Promise<Array<{ method: string; path: string }>> {
  const appModule = '../app.ts';
  const { app } = (await import(/* @vite-ignore */ appModule)) as { app: { routes: Array<{ method: string; path: string }> } };
  return app.routes;
}

/** The document as generated from the routes now, in this process. */
async function freshDocument(): Promise<unknown> {
  const documentModule = '../openapi/document.ts';
  const { generateOpenApiDocument } = (await import(/* @vite-ignore */ documentModule)) as { generateOpenApiDocument: () => Promise<object> };
  return JSON.parse(JSON.stringify(await generateOpenApiDocument()));
}

let edge: EdgeHarness;
let served: Response;
let document: OpenApiDocument;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
  served = await edge.fetch(OPENAPI_PATH);
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toMatch(/^application\/json/);
  document = (await served.json()) as OpenApiDocument;
});
afterAll(() => edge?.dispose());

const operations = () => Object.entries(document.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })));

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, open to anyone', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is the document the routes make now, served as a file: the edge generates nothing per request', async () => {
    // Equal to a fresh generation: a route changed since the playground was built fails here.
    expect(document).toEqual(await freshDocument());
    // A static asset: answered before the edge's code runs, which would have set x-request-id.
    expect(served.headers.get('x-request-id')).toBeNull();
    expect((await registeredRoutes()).filter(({ path }) => path === OPENAPI_PATH)).toEqual([]);
  });

  it('has an operation for every route the app registers, and nothing else', async () => {
    const registered = (await registeredRoutes())
      .filter(({ method, path }) => method !== 'ALL' && path !== DOCS_PATH)
      .map(({ method, path }) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = operations().map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(documented.sort()).toEqual([...new Set(registered)].sort());
  });

  it('says how every operation authenticates, with schemes it declares, and tags each with a declared tag', () => {
    const schemes = Object.keys(document.components?.securitySchemes ?? {});
    expect(schemes.sort()).toEqual(['AdminToken', 'ApiKey', 'ClientToken', 'SocketTicket', 'WorkerSignature']);
    const tags = document.tags?.map(({ name }) => name);
    for (const { method, path, operation } of operations()) {
      const what = `${method} ${path}`;
      expect(operation.security?.length, what).toBeGreaterThan(0);
      for (const requirement of operation.security!) for (const scheme of Object.keys(requirement)) expect(schemes, what).toContain(scheme);
      expect(operation.tags?.length, what).toBe(1);
      expect(tags, what).toContain(operation.tags![0]);
    }
    const scheme = (path: string, method: string) => Object.keys(document.paths[path]![method]!.security![0]!)[0];
    expect(scheme('/v1/audio/speech', 'post')).toBe('ApiKey');
    expect(scheme('/admin/accounts/{id}', 'get')).toBe('AdminToken');
    // Client tokens: where a token may go, and nowhere else.
    const schemesOf = (path: string, method: string) => document.paths[path]![method]!.security!.flatMap((requirement) => Object.entries(requirement));
    expect(schemesOf('/v1/audio/speech', 'post')).toContainEqual(['ClientToken', ['speech']]);
    expect(schemesOf('/v1/audio/speech/stream', 'get')).toContainEqual(['ClientToken', ['realtime']]);
    expect(schemesOf('/v1/voices', 'get')).toContainEqual(['ClientToken', ['voices:read']]);
    for (const [path, method] of [['/v1/voices', 'post'], ['/v1/tokens', 'post'], ['/v1/usage', 'get']] as const) {
      expect(schemesOf(path, method).map(([name]) => name), `${method} ${path}`).not.toContain('ClientToken');
    }
    expect(scheme('/internal/pool/heartbeat', 'post')).toBe('WorkerSignature');
  });

  it('lists every audio type of POST /v1/audio/speech, and its event stream', () => {
    const content = document.paths['/v1/audio/speech']!.post!.responses['200']!.content!;
    const audioTypes = Object.values(FORMATS).map(({ contentType }) => contentType);
    expect(Object.keys(content).sort()).toEqual([...audioTypes, 'text/event-stream'].sort());
  });

  it('documents the refusals of speech admission, with their headers', () => {
    const speech = document.paths['/v1/audio/speech']!.post!;
    expect(documentedCodes(document, speech, 402).sort()).toEqual(['insufficient_credits', 'token_exhausted']);
    expect(documentedCodes(document, speech, 403).sort()).toEqual(['missing_scope', 'origin_not_allowed', 'token_scope']);
    expect(documentedCodes(document, speech, 429).sort()).toEqual(['concurrent_streams_exceeded', 'rate_limit_characters', 'rate_limit_requests']);
    expect(documentedCodes(document, speech, 503).sort()).toEqual(['no_worker_available', 'pool_saturated']);
    const headers = (status: number) => Object.keys((speech.responses[String(status)] as { headers?: object }).headers ?? {});
    expect(headers(429)).toEqual(expect.arrayContaining(['retry-after', 'x-ratelimit-remaining-requests', 'x-credits-remaining', 'x-request-id']));
    expect(headers(402)).toContain('x-credits-remaining');
    expect(headers(200)).toEqual(expect.arrayContaining(['x-tts-model', 'x-audio-sample-rate', 'server-timing', 'x-credits-remaining']));
  });

  it('documents the bitrate a speech request may ask for, and its refusal', () => {
    const speech = document.paths['/v1/audio/speech']!.post!;
    expect(documentedCodes(document, speech, 400)).toEqual(expect.arrayContaining(['unsupported_sample_rate', 'unsupported_bitrate']));
    type Property = { type: string; description: string };
    const body = (speech as { requestBody?: { content: Record<string, { schema: { properties: Record<string, Property>; required?: string[] } }> } }).requestBody!;
    const { properties, required } = body.content['application/json']!.schema;
    expect(properties.bitrate).toMatchObject({ type: 'integer', description: expect.stringMatching(/^Bits per second, for `mp3`, `opus`, `aac`/) });
    expect(required ?? []).not.toContain('bitrate');
    expect(properties.sample_rate!.description).toContain('24000, 32000, 44100');
  });

  it("documents each operation's errors in the shape it answers them: the ElevenLabs dialect's as { detail: { status, message, param? } }, ours as { error: ... }", () => {
    const elevenLabs = document.paths['/elevenlabs/v1/text-to-speech/{voice_id}']!.post!;
    expect(documentedErrorShape(document, elevenLabs, 401)).toBe('detail');
    expect(documentedCodes(document, elevenLabs, 401)).toContain('invalid_api_key');
    expect(documentedCodes(document, elevenLabs, 404)).toContain('voice_not_found');
    expect(documentedCodes(document, elevenLabs, 400)).toContain('unsupported_output_format');
    type Body = { properties: Record<string, { properties: Record<string, { type?: string; enum?: string[] }>; required: string[] }>; required: string[] };
    const body = elevenLabs.responses['401']!.content!['application/json']!.schema as unknown as Body;
    expect(body.required).toEqual(['detail']);
    expect(body.properties.detail!.required.sort()).toEqual(['message', 'status']);
    expect(body.properties.detail!.properties.param).toMatchObject({ type: 'string' });
    expect(body.properties.detail!.properties.status!.enum).toEqual(documentedCodes(document, elevenLabs, 401));

    const ours = document.paths['/v1/audio/speech']!.post!;
    expect(documentedErrorShape(document, ours, 401)).toBe('error');
    expect(documentedCodes(document, ours, 401)).toContain('invalid_api_key');
    // The same catalogues, so the same codes by status, in each dialect's own body.
    for (const status of [401, 402, 403, 429, 503]) expect(documentedCodes(document, elevenLabs, status), String(status)).toEqual(expect.arrayContaining(documentedCodes(document, ours, status)));

    // Every error status of every operation, by tag: the dialect's in its shape, every other in ours.
    for (const { method, path, operation } of operations()) {
      const errorStatuses = Object.keys(operation.responses).filter((status) => Number(status) >= 400);
      expect(errorStatuses.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const status of errorStatuses) {
        const shape = operation.tags?.includes('ElevenLabs') ? 'detail' : 'error';
        expect(documentedErrorShape(document, operation, Number(status)), `${method} ${path} ${status}`).toBe(shape);
        expect(documentedCodes(document, operation, Number(status)).length, `${method} ${path} ${status}`).toBeGreaterThan(0);
      }
    }
  });

  it('documents the account credits GET /v1/usage answers', () => {
    const usage = document.components!.schemas!.Usage as { required: string[] };
    expect(usage.required).toEqual(expect.arrayContaining(['balance', 'reserved', 'totals']));
  });
});

describe('GET /docs', () => {
  it('is the API reference, loading its script from this origin and nothing from anywhere else', async () => {
    const response = await edge.fetch(DOCS_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]*)"/g)].map((match) => match[1]);
    expect(scripts).toEqual([SCALAR_SCRIPT_PATH]);
    expect(html).toContain(`"url": "${OPENAPI_PATH}"`);
    expect(html).not.toMatch(/https?:\/\//);
  });
});
