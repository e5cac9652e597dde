import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYGROUND_DIST } from '../playground/build.ts';
import { POOL_PATHS } from '../shared/protocol/pool.ts';
import { signRequest } from '../shared/protocol/signing.ts';
import { WORKER_PATHS } from '../shared/protocol/worker-api.ts';
import { cloneForm } from './clips.ts';
import * as arb from './fuzz-arbitraries.ts';
import { useStack } from './harness/stack.ts';
import { documentedCodes, findOperation, type OpenApiDocument } from './openapi-operations.ts';

/**
 * Property-based fuzzing of every route of the edge (in workerd) and of the gpu-worker: whatever
 * the method, path, headers, body or credentials, an answer is a 2xx, or a 4xx whose body is
 * `{ error: { type, code, message } }` JSON. Never a 5xx, never a hang, never an error that is
 * not JSON. The one 5xx allowed is a documented 503 (README, "Errors" and "Drain"):
 * `no_worker_available` from edge routes that need a worker, and `worker_busy`/`worker_not_ready`/
 * `worker_draining` from the worker's signed routes. (`GET /readyz` answers 503 with a status,
 * not an error, while loading or draining; the worker here is ready throughout.) And every error
 * the edge answers for an operation of its OpenAPI document is one the document lists for that
 * operation and status (a path no operation serves is exempt: its 404 is documented nowhere).
 *
 * A fixed seed and bounded runs keep it a regression test: a failure replays the same way.
 */

const stack = useStack();
const SEED = 42;
const TIMEOUT_MS = 15_000;
/** Answers per target by status, reported once at the end: shows how deep the requests got. */
const answers: Record<string, Record<number, number>> = {};

const EDGE_503 = ['no_worker_available'];
const WORKER_503 = ['worker_busy', 'worker_not_ready', 'worker_draining'];

/** Keys the properties present: the stack's own (every scope), one with the `usage` scope only, the admin token. */
const credentials = { key: '', usageOnly: '', admin: '', adminAccount: '', adminKeyId: '' };
beforeAll(async () => {
  credentials.key = stack.key;
  credentials.usageOnly = (await stack.edge.createKey({ scopes: ['usage'] })).key;
  credentials.admin = stack.edge.adminToken;
  // Admin fuzzing revokes keys and takes credits: it gets an account and key of its own.
  const sacrificial = await stack.edge.createKey();
  credentials.adminAccount = sacrificial.account_id;
  credentials.adminKeyId = sacrificial.id;
});
afterAll(() => console.log(`fuzz: answers per target by status ${JSON.stringify(answers)}`));

let openapi: OpenApiDocument;
beforeAll(async () => {
  openapi = (await (await fetch(`${stack.edge.url}/openapi.json`)).json()) as OpenApiDocument;
});

/** An edge error must be one the operation that answered documents for its status. */
function expectDocumented(method: string, url: string, status: number, code: string, context: string) {
  const served = findOperation(openapi, method, new URL(url).pathname);
  if (!served) return;
  expect(documentedCodes(openapi, served.operation, status), `${context}\n undocumented: ${method} ${served.template} ${status} ${code}`).toContain(code);
}

/** Mostly credentials that pass, so that requests get past authentication to the checks behind it. */
type Auth = (c: typeof credentials) => string | undefined;
const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Auth>((c) => `Bearer ${c.key}`) },
  { weight: 3, arbitrary: fc.constant<Auth>((c) => `Bearer ${c.admin}`) },
  fc.constantFrom<Auth>(
    () => undefined,
    (c) => `Bearer ${c.usageOnly}`,
    () => 'Bearer sk-not-a-key',
    (c) => `Basic ${c.key}`,
    () => 'Bearer ',
  ),
);

/** Mostly the method a route takes, sometimes any. */
const methodOr = (...usual: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...usual) }, arb.method);

/** Headers a client may send: credentials, content type, a request id of any shape, junk. */
const headers = fc
  .record({ auth: authorization, type: arb.contentType, requestId: fc.option(arb.headerValue, { nil: undefined }), accept: fc.option(arb.headerValue, { nil: undefined }) })
  .map(({ auth, type, requestId, accept }) => (c: typeof credentials) => {
    const h = new Headers();
    const value = auth(c);
    if (value !== undefined) h.set('authorization', value);
    if (type !== undefined) h.set('content-type', type);
    if (requestId !== undefined) h.set('x-request-id', requestId);
    if (accept !== undefined) h.set('accept', accept);
    return h;
  });

type Body = string | Uint8Array | FormData | undefined;

/**
 * Each request on a connection of its own, closed after the answer. A server may close a
 * keep-alive connection whose request body it refused unread (workerd does); a pooled client can
 * reuse that socket in the instant before it sees the close and fail the next request with
 * ECONNRESET, which would be the client's race, not a wrong answer.
 */
const freshConnections = new Agent().compose((dispatch) => (options, handler) => dispatch({ ...options, reset: true }, handler));
afterAll(() => freshConnections.close());
// Node's fetch takes an undici dispatcher; its types come from undici-types, the same interface.
const dispatcher = freshConnections as unknown as RequestInit['dispatcher'];

/**
 * Paths the edge's static assets (the playground) answer before the edge's code runs, as Cloudflare
 * serves static files: GET and HEAD, and 405 with no body for other methods. Outside the API's
 * JSON contract; an answer there need only not be a 5xx. `/index.html` and `/index` are `/`'s.
 */
const STATIC_ASSET_PATHS = new Set(
  (readdirSync(PLAYGROUND_DIST, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath.slice(PLAYGROUND_DIST.length).replace(/\/?$/, '/')}${entry.name}`)
    .flatMap((path) => (path.endsWith('.html') ? [path, path.replace(/\.html$/, ''), path.replace(/index\.html$/, '')] : [path])),
);

/** An answer of the static-asset layer: to a playground path (as it decodes and folds paths), and without the edge's request id. */
function isStaticAsset(url: string, response: Response): boolean {
  const { origin, pathname } = new URL(url);
  if (origin !== new URL(stack.edge.url).origin || response.headers.has('x-request-id')) return false;
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // Not percent-decodable: the asset layer takes it as it is.
  }
  return STATIC_ASSET_PATHS.has(decoded.replace(/\/{2,}/g, '/'));
}

/** Sends one request and checks the property on its answer; a 2xx body is dropped unread (audio streams are long). */
async function expectWellFormed(target: string, url: string, init: { method: string; headers: Headers; body: Body }, allowed503: string[] = []) {
  // fetch refuses a body on GET: the method wins, the body goes.
  const body = init.method === 'GET' ? undefined : init.body;
  const what = `${init.method} ${url} ${JSON.stringify(Object.fromEntries(init.headers))} body=${describeBody(body)}`;
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: init.method, headers: init.headers, body: body as RequestInit['body'], signal, dispatcher });
    const tally = (answers[target] ??= {});
    tally[response.status] = (tally[response.status] ?? 0) + 1;
    if (isStaticAsset(url, response)) {
      await response.body?.cancel();
      return void expect(response.status, `${what} (a static asset)`).toBeLessThan(500);
    }
    if (response.ok) return void (await response.body?.cancel());
    text = await response.text();
  } catch (error) {
    throw new Error(`${what}: no answer within ${TIMEOUT_MS} ms, or the connection failed: ${String(error)} (cause: ${String((error as Error).cause)})`);
  }
  const context = `${what}\n -> ${response.status} ${response.headers.get('content-type')} ${text.slice(0, 300)}`;
  expect(response.status, context).toBeGreaterThanOrEqual(400);
  expect(response.headers.get('content-type') ?? '(none)', context).toMatch(/^application\/json/);
  const { error } = JSON.parse(text) as { error: Record<string, unknown> };
  for (const name of ['type', 'code', 'message']) expect(typeof error?.[name], `${context}\n error.${name}`).toBe('string');
  if (response.status >= 500) expect(response.status === 503 && allowed503.includes(error.code as string), context).toBe(true);
  if (new URL(url).origin === new URL(stack.edge.url).origin) expectDocumented(init.method, url, response.status, error.code as string, context);
}

const describeBody = (body: Body): string =>
  body === undefined ? 'none'
  : typeof body === 'string' ? JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}…(${body.length} chars)` : body)
  : body instanceof Uint8Array ? `${body.length} bytes [${body.subarray(0, 32).join(',')}${body.length > 32 ? ',…' : ''}]`
  : `form(${[...body.keys()].join(',')})`;

/** Checks a property of edge requests built from a path, a method and a body. */
function edgeProperty(target: string, request: fc.Arbitrary<{ path: string; method: string; body: Body }>, numRuns: number, allowed503: string[] = []) {
  return fc.assert(
    fc.asyncProperty(request, headers, async ({ path, method, body }, makeHeaders) => {
      const url = stack.edge.url + path.replace('{account}', credentials.adminAccount).replace('{key}', credentials.adminKeyId);
      await expectWellFormed(target, url, { method, headers: makeHeaders(credentials), body }, allowed503);
    }),
    { seed: SEED, numRuns },
  );
}

describe('edge: every answer is a 2xx or a JSON 4xx error', () => {
  it('POST /v1/audio/speech and /with-timestamps (503 no_worker_available documented)', async () => {
    const path = fc.constantFrom('/v1/audio/speech', '/v1/audio/speech/with-timestamps');
    const request = fc.record({ path, method: methodOr('POST'), body: arb.bodyOf(arb.speechJson) });
    await edgeProperty('edge /v1/audio/speech*', request, 400, EDGE_503);
  });

  it('/v1/voices, /v1/voices/design, /v1/voices/{id} (503 no_worker_available documented for create and design)', async () => {
    const clone = fc
      .record({ clip: arb.clipBytes, fields: fc.dictionary(fc.constantFrom('name', 'transcript', 'language', 'model', 'description', 'file'), fc.string({ maxLength: 30 })), type: arb.headerValue })
      .map(({ clip, fields, type }) => cloneForm(clip, fields, type));
    const request = fc.oneof(
      fc.record({ path: arb.queryOf(['model', 'language', 'type', 'limit', 'cursor']).map((q) => `/v1/voices${q}`), method: methodOr('GET', 'POST'), body: fc.oneof(clone, arb.bodyOf(arb.designJson)) }),
      fc.record({ path: fc.constant('/v1/voices/design'), method: methodOr('POST'), body: arb.bodyOf(arb.designJson) }),
      fc.record({ path: arb.segment.map((id) => `/v1/voices/${id}`), method: methodOr('GET'), body: arb.bodyOf(arb.designJson) }),
    );
    await edgeProperty('edge /v1/voices*', request, 400, EDGE_503);
  });

  it('/v1/models and /v1/usage (503 no_worker_available documented for models)', async () => {
    const request = fc.record({
      path: fc.oneof(arb.queryOf(['start', 'end', 'group_by']).map((q) => `/v1/usage${q}`), arb.queryOf(['model']).map((q) => `/v1/models${q}`)),
      method: methodOr('GET'),
      body: arb.bodyOf(arb.speechJson),
    });
    await edgeProperty('edge /v1/models, /v1/usage', request, 200, EDGE_503);
  });

  it('/admin/accounts..., /admin/keys/{id}, /admin/pool', async () => {
    // Ids are only known once the stack is up: placeholders, filled in as the request is sent.
    const id = fc.oneof(fc.constantFrom('{account}', '{key}'), arb.segment);
    const path = fc.oneof(
      fc.constantFrom('/admin/accounts', '/admin/pool', '/admin', '/admin/keys'),
      fc.tuple(id, fc.constantFrom('', '/keys', '/credits')).map(([i, tail]) => `/admin/accounts/${i}${tail}`),
      id.map((i) => `/admin/keys/${i}`),
    );
    const request = fc.record({ path, method: methodOr('GET', 'POST', 'DELETE'), body: arb.bodyOf(arb.adminJson) });
    await edgeProperty('edge /admin/*', request, 300);
  });

  it('unknown paths and methods', async () => {
    const path = fc.tuple(fc.array(arb.segment, { minLength: 0, maxLength: 4 }), arb.queryOf(['a'])).map(([segments, q]) => `/${segments.join('/')}${q}`);
    const known = fc.constantFrom('/v1', '/v1/', '/v1/audio', '/v1/audio/speech/', '/V1/MODELS', '/v1//models', '/internal', '/admin/');
    await edgeProperty('edge unknown paths', fc.record({ path: fc.oneof(path, known), method: arb.method, body: arb.bodyOf(arb.speechJson) }), 200);
  });
});

/** A request signed with the shared secret (or not, or with another), as the edge or a worker would send it. */
const signing = fc.constantFrom<'none' | 'valid' | 'wrong secret' | 'stale'>('none', 'valid', 'valid', 'wrong secret', 'stale');
async function signedHeaders(how: 'none' | 'valid' | 'wrong secret' | 'stale', method: string, path: string, body: Body, extra: Headers): Promise<Headers> {
  if (how === 'none') return extra;
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : (body as Uint8Array | undefined);
  const secret = how === 'wrong secret' ? 'not-the-shared-secret-at-all' : stack.worker.secret;
  const signature = await signRequest(secret, { method, path, ...(bytes?.length ? { body: bytes } : {}), ...(how === 'stale' ? { now: Date.now() - 3_600_000 } : {}) });
  for (const [name, value] of Object.entries(signature)) extra.set(name, value);
  return extra;
}

/** Raw bodies only: signatures cover bytes, so no forms here. */
const rawBody = (json: fc.Arbitrary<unknown>) => arb.bodyOf(json) as fc.Arbitrary<string | Uint8Array | undefined>;

it('edge: POST /internal/pool/heartbeat, signed and unsigned', async () => {
  const request = fc.record({ method: methodOr('POST'), body: rawBody(arb.heartbeatJson), how: signing, type: arb.contentType });
  await fc.assert(
    fc.asyncProperty(request, async ({ method, body, how, type }) => {
      const sentBody = method === 'GET' ? undefined : body;
      const h = await signedHeaders(how, method, POOL_PATHS.heartbeat, sentBody, new Headers(type ? { 'content-type': type } : {}));
      await expectWellFormed('edge /internal/pool/heartbeat', stack.edge.url + POOL_PATHS.heartbeat, { method, headers: h, body: sentBody });
    }),
    { seed: SEED, numRuns: 200 },
  );
});

it('gpu-worker: every endpoint, signed and unsigned (503 worker_busy/not_ready/draining documented)', async () => {
  const withQuery = (path: string, names: string[]) => arb.queryOf(names).map((q) => path + q);
  const request = fc.oneof(
    fc.record({ path: fc.constant(WORKER_PATHS.synthesize), body: rawBody(arb.synthesisJson) }),
    fc.record({ path: fc.constant(WORKER_PATHS.designVoice), body: rawBody(arb.workerDesignJson) }),
    fc.record({ path: withQuery(WORKER_PATHS.cloneVoice, ['request_id', 'model', 'language', 'transcript', 'description', 'reference']), body: fc.oneof(arb.clipBytes, rawBody(arb.synthesisJson)) }),
    fc.record({
      path: fc.oneof(fc.constantFrom(WORKER_PATHS.catalog, WORKER_PATHS.healthz, WORKER_PATHS.readyz, '/metrics'), fc.array(arb.segment, { maxLength: 3 }).map((s) => `/${s.join('/')}`)),
      body: rawBody(arb.synthesisJson),
    }),
  );
  const property = fc.record({ request, method: methodOr('GET', 'POST'), how: signing, type: arb.contentType });
  await fc.assert(
    fc.asyncProperty(property, async ({ request: { path, body }, method, how, type }) => {
      const sentBody = method === 'GET' ? undefined : body;
      const h = await signedHeaders(how, method, path, sentBody, new Headers(type ? { 'content-type': type } : {}));
      await expectWellFormed('gpu-worker', stack.worker.url + path, { method, headers: h, body: sentBody }, WORKER_503);
    }),
    { seed: SEED, numRuns: 500 },
  );
});

/**
 * Found by the property above (seed 42): a request-target that starts with `//` is read by
 * gpu-worker/server.ts as `new URL(req.url, 'http://worker')`, i.e. as a scheme-relative URL whose
 * "host" follows the slashes. When that host is not valid (`//`, `//%`, `//[`, `//a%20b/healthz`)
 * the URL constructor throws "Invalid URL" and the worker answers 500 internal_error, unsigned
 * and before any check. (`//x/healthz` parses, and is served as `/healthz`.) fetch keeps such a
 * path as given; curl needs `--path-as-is`.
 */
it('gpu-worker: GET //% is a JSON 4xx, not a 500 (fails until server.ts parses the path safely)', async () => {
  for (const path of ['//', '//%', '//[']) {
    await expectWellFormed('gpu-worker //', stack.worker.url + path, { method: 'GET', headers: new Headers(), body: undefined });
  }
});
