import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { Agent, WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VISIBLE_PREFIX_LENGTH } from '../edge/auth/api-key-secret.ts';
import { PLAYGROUND_DIST } from '../playground/build.ts';
import { POOL_PATHS } from '../shared/protocol/pool.ts';
import { signRequest } from '../shared/protocol/signing.ts';
import { WORKER_PATHS } from '../shared/protocol/worker-api.ts';
import { cloneForm, spokenClip } from './clips.ts';
import * as elevenLabsArb from './fuzz-arbitraries-elevenlabs.ts';
import * as arb from './fuzz-arbitraries.ts';
import { useStack } from './harness/stack.ts';
import { documentedCodes, documentedErrorShape, ERROR_CODE_FIELDS, type ErrorShape, findOperation, type OpenApiDocument } from './openapi-operations.ts';

/**
 * Property-based fuzzing of every route of the edge (in workerd) and of the gpu-worker: whatever
 * the method, path, headers, body or credentials, an answer is a 2xx, or a 4xx whose body is
 * `{ error: { type, code, message } }` JSON (under `/elevenlabs`, ElevenLabs' dialect, its own
 * `{ detail: { status, message } }`, `status` holding the code). Never a 5xx, never a hang, never
 * an error that is not JSON. The one 5xx allowed is a documented 503 (README, "Errors" and "Drain"):
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

// The pool may shed a new stream when no worker could start it in time (edge/pool/load-shedding.ts).
const EDGE_503 = ['no_worker_available', 'pool_saturated'];
const WORKER_503 = ['worker_busy', 'worker_not_ready', 'worker_draining'];

/** Keys the properties present: the stack's own (every scope), one with the `usage` scope only, the admin token. */
const credentials = { key: '', usageOnly: '', admin: '', adminAccount: '', adminKeyId: '', stackAccount: '', tokenId: '', foreignTokenId: '', jobId: '', foreignJobId: '', dictionaryId: '', doomedDictionaryId: '', foreignDictionaryId: '' };

/**
 * Client tokens the properties present, one of each kind a client may hold, minted by a key of an
 * account of their own. `bound`'s and `tiny`'s caps run out during the run, which is the point:
 * admission's token path sees tokens both with room left and without.
 */
const TOKEN_KINDS = ['open', 'bound', 'tiny', 'singleUse', 'voicesOnly', 'revoked', 'keyRevoked', 'expired'] as const;
type TokenKind = (typeof TOKEN_KINDS)[number];
/** Tokens that must never be served: these, and any the fuzz forged or altered. */
const DEAD_TOKENS: ReadonlyArray<TokenKind | 'forged'> = ['revoked', 'keyRevoked', 'expired', 'forged'];
const BOUND_ORIGIN = 'https://app.example';
const tokens = {} as Record<TokenKind, { token: string; id: string }>;
const tokenOwner = { account: '', key: '' };

beforeAll(async () => {
  credentials.key = stack.key;
  credentials.usageOnly = (await stack.edge.createKey({ scopes: ['usage'] })).key;
  credentials.admin = stack.edge.adminToken;
  // Admin fuzzing revokes keys and takes credits: it gets an account and key of its own.
  const sacrificial = await stack.edge.createKey();
  credentials.adminAccount = sacrificial.account_id;
  credentials.adminKeyId = sacrificial.id;

  const owner = await stack.edge.createKey();
  Object.assign(tokenOwner, { account: owner.account_id, key: owner.key });
  const all = ['speech', 'realtime', 'voices:read'];
  tokens.open = await mint(owner.key, { scopes: all });
  tokens.bound = await mint(owner.key, { scopes: all, max_characters: 400, max_requests: 25, models: ['espeak'], voices: ['en-female', 'alloy'], allowed_origins: [BOUND_ORIGIN] });
  tokens.tiny = await mint(owner.key, { max_characters: 20 });
  tokens.singleUse = await mint(owner.key, { single_use: true });
  tokens.voicesOnly = await mint(owner.key, { scopes: ['voices:read'] });
  tokens.revoked = await mint(owner.key);
  expect((await stack.edge.fetch(`/v1/tokens/${tokens.revoked.id}`, { method: 'DELETE', key: owner.key })).status).toBe(200);
  const doomed = await stack.edge.createKey({ account: owner.account_id });
  tokens.keyRevoked = await mint(doomed.key);
  expect((await stack.edge.admin('DELETE', `/admin/keys/${doomed.id}`)).status).toBe(200);
  tokens.expired = await mint(owner.key, { ttl_seconds: 1 });

  // The token GET and DELETE /v1/tokens/{id} find with the stack's key; another account's is 404 to it.
  const ofStack = await mint(stack.key);
  credentials.tokenId = ofStack.id;
  credentials.stackAccount = /^tkn_(acct_[0-9a-f]+)\./.exec(ofStack.token)![1]!;
  credentials.foreignTokenId = tokens.open.id;

  // A finished job of the stack's key's account (GET shows it, its audio and words are whole), and another account's.
  credentials.jobId = await finishedJob(stack.key);
  credentials.foreignJobId = await finishedJob(owner.key);

  // Pronunciation dictionaries of the stack's key's account (one to delete), and another account's.
  credentials.dictionaryId = await dictionaryOf(stack.key);
  credentials.doomedDictionaryId = await dictionaryOf(stack.key);
  credentials.foreignDictionaryId = await dictionaryOf(owner.key);

  // The one-second token, once its account's object says it has expired.
  const deadline = Date.now() + 10_000;
  while ((await tokenState(tokens.expired.id)).status !== 'expired') {
    if (Date.now() > deadline) throw new Error('the one-second token has not expired after 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

async function mint(key: string, body: Record<string, unknown> = {}): Promise<{ token: string; id: string }> {
  const response = await stack.edge.fetch('/v1/tokens', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`POST /v1/tokens ${JSON.stringify(body)}: ${response.status} ${await response.text()}`);
  const { token, id } = (await response.json()) as { token: string; id: string };
  return { token, id };
}

async function dictionaryOf(key: string): Promise<string> {
  const body = JSON.stringify({ name: 'fuzzed', rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel' }] });
  const response = await stack.edge.fetch('/v1/pronunciation-dictionaries', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body });
  if (response.status !== 201) throw new Error(`POST /v1/pronunciation-dictionaries: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** A short job, created and waited for: its audio, words and events are whole, so a request for them ends. */
async function finishedJob(key: string): Promise<string> {
  const created = await stack.edge.fetch('/v1/audio/jobs', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'A short job. It has two sentences.' }) });
  if (created.status !== 202) throw new Error(`POST /v1/audio/jobs: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { status } = (await (await stack.edge.fetch(`/v1/audio/jobs/${id}`, { key })).json()) as { status: string };
    if (status === 'completed') return id;
    if (status === 'failed' || Date.now() > deadline) throw new Error(`the fuzz's job ${id} is ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type TokenState = { status: string; max_characters: number | null; max_requests: number | null; single_use: boolean; characters_used: number; characters_reserved: number; requests_used: number };
async function tokenState(id: string): Promise<TokenState> {
  const response = await stack.edge.fetch(`/v1/tokens/${id}`, { key: tokenOwner.key });
  if (response.status !== 200) throw new Error(`GET /v1/tokens/${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as TokenState;
}

/** The errors ElevenLabs' sockets sent, by code: how far into a socket the properties got. */
const socketErrors: Record<string, number> = {};
afterAll(() =>
  console.log(
    `fuzz: answers per target by status ${JSON.stringify(answers)}\nfuzz: answers per client token by status ${JSON.stringify(tokenAnswers)}\nfuzz: ElevenLabs socket errors by code ${JSON.stringify(socketErrors)}`,
  ),
);

let openapi: OpenApiDocument;
beforeAll(async () => {
  openapi = (await (await fetch(`${stack.edge.url}/openapi.json`)).json()) as OpenApiDocument;
});

/** The operations of the OpenAPI document the properties sent a request to (`GET /v1/voices/{id}`), and what they answered. */
const reached: Record<string, Record<number, number>> = {};
/** Answers to requests with each kind of client token, by status: how far each got, and the record the checks on tokens read. */
const tokenAnswers: Record<string, Record<number, number>> = {};
/** The secret part of every credential sent (a client token's hex after the dot, minted or forged; an API key's past its visible prefix): none may appear in a log line. */
const sentSecrets = new Set<string>();

/** An edge error must be one the operation that answered documents for its status, in the shape it answered. */
function expectDocumented(method: string, url: string, status: number, code: string, shape: ErrorShape, context: string) {
  const served = findOperation(openapi, method, new URL(url).pathname);
  if (!served) return;
  expect(documentedErrorShape(openapi, served.operation, status), `${context}\n documented in another shape: ${method} ${served.template} ${status}`).toBe(shape);
  expect(documentedCodes(openapi, served.operation, status), `${context}\n undocumented: ${method} ${served.template} ${status} ${code}`).toContain(code);
}

/** Where ElevenLabs' dialect lives (edge/dialects/elevenlabs/dialect.ts): every error under it is in its shape. */
const ELEVENLABS_PREFIX = '/elevenlabs';
const isElevenLabsPath = (pathname: string) => pathname === ELEVENLABS_PREFIX || pathname.startsWith(`${ELEVENLABS_PREFIX}/`);
/** The shape an edge error is in: the dialect's under its prefix, ours everywhere else. */
const errorShapeOf = (url: URL): ErrorShape => (isElevenLabsPath(url.pathname) ? 'detail' : 'error');

/** What an API key's authentication refuses with: never the answer to a request that presents a client token. */
const API_KEY_CODES = ['missing_api_key', 'invalid_api_key', 'revoked_api_key', 'expired_api_key', 'missing_scope'];

/** As the edge reads `Authorization` (edge/middleware/api-key-auth.ts). */
const bearerOf = (header: string | null) => header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];

/**
 * Whether the edge takes this request's credential as a client token: the bearer, or on the
 * realtime socket `?token=` before it (and neither when a `?ticket=` is there, which wins). Under
 * ElevenLabs' dialect, `xi-api-key` comes before the bearer (edge/dialects/elevenlabs/dialect.ts).
 */
function presentsClientToken(url: URL, headers: Headers): boolean {
  const socket = url.pathname === '/v1/audio/speech/stream';
  if (socket && url.searchParams.has('ticket')) return false;
  const xiApiKey = isElevenLabsPath(url.pathname) ? headers.get('xi-api-key')?.trim() || undefined : undefined;
  const credential = (socket ? url.searchParams.get('token') : null) ?? xiApiKey ?? bearerOf(headers.get('authorization'));
  return credential?.startsWith('tkn_') ?? false;
}

/** A credential as sent: the Authorization header, and the client token it carries when it is one. */
type Presented = { authorization: string | undefined; token?: TokenKind | 'forged' };
type Auth = (c: typeof credentials) => Presented;
const header = (value: (c: typeof credentials) => string | undefined): Auth => (c) => ({ authorization: value(c) });

/**
 * A client token in `Authorization`: a minted one (mostly those that can be served), a forged one,
 * or a minted one altered (a digit flipped, one short or long, moved to another account). The
 * scheme is sometimes spelled otherwise, or not `Bearer` at all.
 */
type PresentToken = () => { token: string; kind: TokenKind | 'forged' };
const clientToken: fc.Arbitrary<PresentToken> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<TokenKind>('open', 'bound').map((kind) => () => ({ token: tokens[kind].token, kind })) },
  { weight: 3, arbitrary: fc.constantFrom<TokenKind>('tiny', 'singleUse', 'voicesOnly', 'revoked', 'keyRevoked', 'expired').map((kind) => () => ({ token: tokens[kind].token, kind })) },
  { weight: 2, arbitrary: arb.forgedClientToken.map((forged) => () => ({ token: forged.replaceAll('{account}', tokenOwner.account), kind: 'forged' as const })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom<TokenKind>('open', 'bound'), fc.constantFrom('flip', 'short', 'long', 'other account'), fc.nat()).map(([kind, how, n]) => () => {
      const token = tokens[kind].token;
      const at = token.length - 1 - (n % 48);
      const altered =
        how === 'flip' ? `${token.slice(0, at)}${token[at] === '0' ? '1' : '0'}${token.slice(at + 1)}`
        : how === 'short' ? token.slice(0, -1)
        : how === 'long' ? `${token}0`
        : token.replace(tokenOwner.account, credentials.stackAccount);
      return { token: altered, kind: 'forged' as const };
    }),
  },
);
const tokenAuth = fc
  .tuple(clientToken, fc.constantFrom('Bearer', 'Bearer', 'Bearer', 'bearer', 'BEARER', 'Basic', 'Token'))
  .map(([presented, scheme]): Auth => () => {
    const { token, kind } = presented();
    return { authorization: `${scheme} ${token}`, token: kind };
  });

/** Mostly credentials that pass, so that requests get past authentication to the checks behind it. */
const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constant(header((c) => `Bearer ${c.key}`)) },
  { weight: 3, arbitrary: fc.constant(header((c) => `Bearer ${c.admin}`)) },
  fc.constantFrom<Auth>(
    header(() => undefined),
    header((c) => `Bearer ${c.usageOnly}`),
    header(() => 'Bearer sk-not-a-key'),
    header((c) => `Basic ${c.key}`),
    header(() => 'Bearer '),
  ),
  // Key-only routes must refuse tokens (403 token_scope), admin routes ignore them.
  tokenAuth,
);

/** Mostly a client token, sometimes any credential: for routes that take tokens. */
const tokenAuthorization = fc.oneof({ weight: 6, arbitrary: tokenAuth }, { weight: 1, arbitrary: authorization });

/** Mostly the method a route takes, sometimes any. */
const methodOr = (...usual: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...usual) }, arb.method);

/** `Origin`: none (a server) half the time, else a page's: tokens and keys may be bound to some. `{self}` is the API's own. */
const originHeader = fc.option(fc.oneof(arb.origin, fc.constant('{self}')), { nil: undefined, freq: 2 });

/** Headers a client may send: credentials, content type, origin, a request id of any shape, junk. */
const headersWith = (auth: fc.Arbitrary<Auth>) =>
  fc
    .record({ auth, type: arb.contentType, origin: originHeader, requestId: fc.option(arb.headerValue, { nil: undefined }), accept: fc.option(arb.headerValue, { nil: undefined }) })
    .map(({ auth: credential, type, origin, requestId, accept }) => (c: typeof credentials): { headers: Headers; token?: TokenKind | 'forged' } => {
      const h = new Headers();
      const sent = credential(c);
      if (sent.authorization !== undefined) h.set('authorization', sent.authorization);
      if (type !== undefined) h.set('content-type', type);
      if (origin !== undefined) h.set('origin', origin === '{self}' ? new URL(stack.edge.url).origin : origin);
      if (requestId !== undefined) h.set('x-request-id', requestId);
      if (accept !== undefined) h.set('accept', accept);
      return { headers: h, ...(sent.token ? { token: sent.token } : {}) };
    });
const headers = headersWith(authorization);

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

/** The request an answer is to, as the checks on it need it. */
interface Sent {
  method: string;
  url: string;
  headers: Headers;
  /** The client token the edge takes as the credential, when there is one. */
  token?: TokenKind | 'forged';
}

/** Counts an answer for its target and, on the edge, for the documented operation it reached; notes the token-shaped secrets sent. */
function tally(target: string, sent: Sent, status: number) {
  const byTarget = (answers[target] ??= {});
  byTarget[status] = (byTarget[status] ?? 0) + 1;
  if (sent.token) {
    const byToken = (tokenAnswers[sent.token] ??= {});
    byToken[status] = (byToken[status] ?? 0) + 1;
  }
  const url = new URL(sent.url);
  if (url.origin !== new URL(stack.edge.url).origin) return;
  const served = findOperation(openapi, sent.method, url.pathname);
  if (served) {
    const byOperation = (reached[`${sent.method.toUpperCase()} ${served.template}`] ??= {});
    byOperation[status] = (byOperation[status] ?? 0) + 1;
  }
  for (const value of [sent.headers.get('authorization') ?? '', sent.headers.get('xi-api-key') ?? '', ...url.searchParams.values()]) noteSecrets(value);
}

/**
 * Notes the secrets a value sent carries, none of which may be logged: a client token's random
 * part (the hex after the dot), and an API key's past the prefix listings show.
 */
function noteSecrets(value: string) {
  for (const [, secret] of value.matchAll(/tkn_\S*\.([0-9a-fA-F]{16,})/g)) sentSecrets.add(secret!);
  for (const [key] of value.matchAll(/tts_[A-Za-z0-9_-]{20,}/g)) sentSecrets.add(key.slice(VISIBLE_PREFIX_LENGTH));
}

/** Sends one request and checks the property on its answer; a 2xx body is dropped unread (audio streams are long). */
async function expectWellFormed(target: string, url: string, init: { method: string; headers: Headers; body: Body; token?: TokenKind | 'forged' }, allowed503: string[] = []) {
  // fetch refuses a body on GET: the method wins, the body goes.
  const body = init.method === 'GET' ? undefined : init.body;
  const what = `${init.method} ${url} ${JSON.stringify(Object.fromEntries(init.headers))} body=${describeBody(body)}`;
  const sent: Sent = { method: init.method, url, headers: init.headers, ...(init.token ? { token: init.token } : {}) };
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: init.method, headers: init.headers, body: body as RequestInit['body'], signal, dispatcher });
    tally(target, sent, response.status);
    if (isStaticAsset(url, response)) {
      await response.body?.cancel();
      return void expect(response.status, `${what} (a static asset)`).toBeLessThan(500);
    }
    if (response.ok) {
      await response.body?.cancel();
      return expectTokenHonoured(sent, response.status, what);
    }
    text = await response.text();
  } catch (error) {
    throw new Error(`${what}: no answer within ${TIMEOUT_MS} ms, or the connection failed: ${String(error)} (cause: ${String((error as Error).cause)})`);
  }
  expectError(what, sent, response.status, response.headers.get('content-type'), text, allowed503);
}

/** The fields each shape of error body holds (besides an optional `param`). */
const ERROR_FIELDS: Record<ErrorShape, string[]> = { error: ['type', 'code', 'message'], detail: ['status', 'message'] };

/**
 * The property on an answer that is not a success: a JSON 4xx (or a documented 503) error in the
 * shape of the API it reached (ours, or ElevenLabs' under its prefix), of a code its operation
 * documents for that status, in that shape.
 */
function expectError(what: string, sent: Sent, status: number, contentType: string | null, text: string, allowed503: string[]) {
  const context = `${what}\n -> ${status} ${contentType} ${text.slice(0, 300)}`;
  expect(status, context).toBeGreaterThanOrEqual(400);
  expect(contentType ?? '(none)', context).toMatch(/^application\/json/);
  const url = new URL(sent.url);
  const edge = url.origin === new URL(stack.edge.url).origin;
  const shape = edge ? errorShapeOf(url) : 'error';
  const body = JSON.parse(text) as Record<string, Record<string, unknown>>;
  expect(Object.keys(body ?? {}), `${context}\n the body is { ${shape}: ... } and nothing else`).toEqual([shape]);
  const error = body[shape]!;
  for (const name of ERROR_FIELDS[shape]) expect(typeof error?.[name], `${context}\n ${shape}.${name}`).toBe('string');
  if (error.param !== undefined) expect(typeof error.param, `${context}\n ${shape}.param`).toBe('string');
  const code = error[ERROR_CODE_FIELDS[shape]] as string;
  if (status >= 500) expect(status === 503 && allowed503.includes(code), context).toBe(true);
  if (!edge) return;
  expectDocumented(sent.method, sent.url, status, code, shape, context);
  if ((url.pathname.startsWith('/v1/') || isElevenLabsPath(url.pathname)) && presentsClientToken(url, sent.headers)) {
    expect(API_KEY_CODES, `${context}\n a request with a client token was refused as if it had an API key`).not.toContain(code);
  }
}

/** What each kind of minted token may do (the scopes it was minted with); a forged one, nothing. */
const TOKEN_SCOPES: Record<TokenKind, string[]> = {
  open: ['speech', 'realtime', 'voices:read'],
  bound: ['speech', 'realtime', 'voices:read'],
  tiny: ['speech', 'realtime'],
  singleUse: ['speech', 'realtime'],
  voicesOnly: ['voices:read'],
  revoked: [],
  keyRevoked: [],
  expired: [],
};
/** The scope a client token needs for each operation that takes one; every other operation refuses tokens. */
const SCOPE_OF_OPERATION: Record<string, string> = {
  createSpeech: 'speech',
  createSpeechWithTimestamps: 'speech',
  openSpeechStream: 'realtime',
  listVoices: 'voices:read',
  getVoice: 'voices:read',
  listModels: 'voices:read',
  elevenLabsTextToSpeech: 'speech',
  elevenLabsTextToSpeechStream: 'speech',
  elevenLabsTextToSpeechWithTimestamps: 'speech',
  elevenLabsTextToSpeechStreamWithTimestamps: 'speech',
  elevenLabsListVoices: 'voices:read',
  elevenLabsSearchVoices: 'voices:read',
  elevenLabsGetVoice: 'voices:read',
  elevenLabsListModels: 'voices:read',
  elevenLabsStreamInput: 'realtime',
  elevenLabsMultiStreamInput: 'realtime',
};
let singleUseServed = 0;

/**
 * A request whose credential is a client token was served (2xx, or 101 for the socket): the token
 * may be: it is one that was minted and is still alive, the operation takes tokens and the token
 * has its scope, a bound token came from an origin it allows (or from no page), and a single-use
 * token serves one request.
 */
function expectTokenHonoured(sent: Sent, status: number, what: string) {
  if (!sent.token) return;
  const url = new URL(sent.url);
  const operation = findOperation(openapi, sent.method, url.pathname)?.operation;
  if (!operation) return; // not an operation of the API: a page or document anyone may fetch
  const context = `${what}\n -> ${status}: served with the client token "${sent.token}"`;
  expect(DEAD_TOKENS, context).not.toContain(sent.token);
  const scope = SCOPE_OF_OPERATION[operation.operationId ?? ''];
  expect(scope !== undefined && TOKEN_SCOPES[sent.token as TokenKind].includes(scope), `${context} on ${operation.operationId}`).toBe(true);
  // An empty Origin (no browser sends one) is no Origin, for keys and tokens alike.
  if (sent.token === 'bound') expect(['', BOUND_ORIGIN, new URL(stack.edge.url).origin], context).toContain(sent.headers.get('origin') ?? '');
  if (sent.token === 'singleUse' && scope !== 'voices:read') expect(++singleUseServed, `${context} (a second time)`).toBe(1);
}

const describeBody = (body: Body): string =>
  body === undefined ? 'none'
  : typeof body === 'string' ? JSON.stringify(body.length > 300 ? `${body.slice(0, 300)}…(${body.length} chars)` : body)
  : body instanceof Uint8Array ? `${body.length} bytes [${body.subarray(0, 32).join(',')}${body.length > 32 ? ',…' : ''}]`
  : `form(${[...body.keys()].join(',')})`;

/** Ids only known once the stack is up, as placeholders in paths: filled in as the request is sent. */
const fillIn = (path: string) =>
  path
    .replace('{account}', credentials.adminAccount)
    .replace('{key}', credentials.adminKeyId)
    .replace('{token}', credentials.tokenId)
    .replace('{foreign token}', credentials.foreignTokenId)
    .replace('{foreign job}', credentials.foreignJobId)
    .replace('{job}', credentials.jobId)
    .replace('{foreign dictionary}', credentials.foreignDictionaryId)
    .replace('{doomed dictionary}', credentials.doomedDictionaryId)
    .replace('{dictionary}', credentials.dictionaryId);

/** Checks a property of edge requests built from a path, a method and a body, with headers from `withHeaders`. */
function edgeProperty(target: string, request: fc.Arbitrary<{ path: string; method: string; body: Body }>, numRuns: number, allowed503: string[] = [], withHeaders = headers) {
  return fc.assert(
    fc.asyncProperty(request, withHeaders, async ({ path, method, body }, makeHeaders) => {
      const { headers: sentHeaders, token } = makeHeaders(credentials);
      await expectWellFormed(target, stack.edge.url + fillIn(path), { method, headers: sentHeaders, body, ...(token ? { token } : {}) }, allowed503);
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

  it('GET /v1/webhooks/secret and POST /v1/webhooks/secret/rotate', async () => {
    const request = fc.oneof(
      fc.record({ path: arb.queryOf(['secret', 'format']).map((q) => `/v1/webhooks/secret${q}`), method: methodOr('GET'), body: arb.bodyOf(arb.speechJson) }),
      fc.record({ path: fc.constant('/v1/webhooks/secret/rotate'), method: methodOr('POST'), body: arb.bodyOf(arb.speechJson) }),
    );
    await edgeProperty('edge /v1/webhooks/secret*', request, 100);
    expect(reached['GET /v1/webhooks/secret']?.[200], JSON.stringify(reached['GET /v1/webhooks/secret'])).toBeGreaterThan(0);
    expect(reached['POST /v1/webhooks/secret/rotate']?.[200], JSON.stringify(reached['POST /v1/webhooks/secret/rotate'])).toBeGreaterThan(0);
  });

  it('POST and GET /v1/audio/jobs, GET and DELETE /v1/audio/jobs/{id}, its /audio, /timestamps, /subtitles and /events (503 no_worker_available documented for creating)', async () => {
    // `{job}`: a finished job of the stack's key's account; `{foreign job}` another account's. A
    // DELETE of a finished job changes nothing, so it stays whole for the requests after it.
    const id = fc.oneof({ weight: 4, arbitrary: fc.constant('{job}') }, fc.constantFrom('{foreign job}', 'job_000000000000000000000000'), arb.segment);
    const part = fc.constantFrom('', '/audio', '/timestamps', '/subtitles', '/events');
    const request = fc.oneof(
      { weight: 3, arbitrary: fc.record({ path: fc.constant('/v1/audio/jobs'), method: methodOr('POST'), body: arb.bodyOf(arb.jobJson) }) },
      { weight: 1, arbitrary: fc.record({ path: arb.queryOf(['limit', 'after']).map((q) => `/v1/audio/jobs${q}`), method: methodOr('GET'), body: arb.bodyOf(arb.jobJson) }) },
      {
        weight: 6,
        arbitrary: fc.record({
          path: fc.tuple(id, part, arb.queryOf(['format'])).map(([i, p, q]) => `/v1/audio/jobs/${i}${p}${q}`),
          method: methodOr('GET', 'DELETE'),
          body: arb.bodyOf(arb.jobJson),
        }),
      },
    );
    await edgeProperty('edge /v1/audio/jobs*', request, 450, EDGE_503);
    expect(reached['POST /v1/audio/jobs']?.[202], JSON.stringify(reached['POST /v1/audio/jobs'])).toBeGreaterThan(0);
    for (const part of ['', '/audio', '/timestamps', '/subtitles', '/events']) {
      expect(reached[`GET /v1/audio/jobs/{id}${part}`]?.[200], JSON.stringify(reached[`GET /v1/audio/jobs/{id}${part}`])).toBeGreaterThan(0);
    }
  });

  it('/v1/pronunciation-dictionaries: create (JSON or a PLS file), list, get, download, change rules, delete', async () => {
    // `{dictionary}`: the stack's key's account's, which only `{doomed dictionary}` (of the same account) is deleted in place of; `{foreign dictionary}` another account's.
    const id = fc.oneof({ weight: 4, arbitrary: fc.constant('{dictionary}') }, fc.constantFrom('{foreign dictionary}', 'pd_000000000000000000000000'), arb.segment);
    const deleted = fc.oneof(fc.constantFrom('{doomed dictionary}', '{foreign dictionary}', 'pd_000000000000000000000000'), arb.segment);
    const version = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('', '?version=1', '?version=2') }, arb.queryOf(['version']));
    const plsForm = fc
      .record({ file: arb.plsFile, fields: fc.dictionary(fc.constantFrom('name', 'description', 'file'), fc.string({ maxLength: 30 })) })
      .map(({ file, fields }) => {
        const form = new FormData();
        form.set('name', 'imported');
        for (const [name, value] of Object.entries(fields)) form.set(name, value);
        if (!('file' in fields)) form.set('file', new Blob([file]), 'lexicon.pls');
        return form;
      });
    const request = fc.oneof(
      { weight: 3, arbitrary: fc.record({ path: arb.queryOf(['limit', 'after']).map((q) => `/v1/pronunciation-dictionaries${q}`), method: methodOr('GET', 'POST'), body: fc.oneof(plsForm, arb.bodyOf(arb.dictionaryJson)) }) },
      {
        weight: 6,
        arbitrary: fc.record({
          path: fc.tuple(id, fc.constantFrom('', '/download', '/rules', '/rules/remove'), version).map(([i, p, q]) => `/v1/pronunciation-dictionaries/${i}${p}${q}`),
          method: methodOr('GET', 'POST', 'PUT'),
          body: arb.bodyOf(arb.dictionaryJson),
        }),
      },
      { weight: 1, arbitrary: fc.record({ path: deleted.map((i) => `/v1/pronunciation-dictionaries/${i}`), method: fc.constant('DELETE'), body: fc.constant(undefined) }) },
    );
    await edgeProperty('edge /v1/pronunciation-dictionaries*', request, 400);
    for (const operation of ['POST /v1/pronunciation-dictionaries', 'GET /v1/pronunciation-dictionaries', 'GET /v1/pronunciation-dictionaries/{id}', 'GET /v1/pronunciation-dictionaries/{id}/download', 'POST /v1/pronunciation-dictionaries/{id}/rules']) {
      expect(Object.keys(reached[operation] ?? {}).some((status) => Number(status) < 300), `${operation}: ${JSON.stringify(reached[operation])}`).toBe(true);
    }
  });

  it('POST /v1/tokens, GET and DELETE /v1/tokens/{id} (503 no_worker_available documented for minting)', async () => {
    // `{token}` is a token of the stack's key's account (GET shows it, DELETE revokes it); `{foreign token}` another account's.
    const id = fc.oneof(fc.constantFrom('{token}', '{foreign token}'), arb.tokenIdSegment);
    const request = fc.oneof(
      { weight: 3, arbitrary: fc.record({ path: fc.constant('/v1/tokens'), method: methodOr('POST'), body: arb.bodyOf(arb.tokenRequestJson) }) },
      { weight: 2, arbitrary: fc.record({ path: id.map((i) => `/v1/tokens/${i}`), method: methodOr('GET', 'DELETE'), body: arb.bodyOf(arb.tokenRequestJson) }) },
    );
    await edgeProperty('edge /v1/tokens*', request, 300, EDGE_503);
    // Deep enough to mean something: tokens were minted, shown and revoked, not all refused at the door.
    expect(reached['POST /v1/tokens']?.[201], JSON.stringify(reached['POST /v1/tokens'])).toBeGreaterThan(0);
    expect(reached['GET /v1/tokens/{id}']?.[200], JSON.stringify(reached['GET /v1/tokens/{id}'])).toBeGreaterThan(0);
    expect(reached['DELETE /v1/tokens/{id}']?.[200], JSON.stringify(reached['DELETE /v1/tokens/{id}'])).toBeGreaterThan(0);
  });

  it('speech, voices and models with client tokens: minted (caps, bindings, single-use, revoked, expired, of a revoked key), forged, altered', async () => {
    // More bodies that pass than elsewhere, and long ones: the caps are met on the way, and then run out.
    const speechBody = fc.oneof(
      { weight: 3, arbitrary: arb.bodyOf(arb.speechJson) },
      { weight: 2, arbitrary: arb.validSpeechJson.map((body) => JSON.stringify(body)) },
      { weight: 1, arbitrary: fc.integer({ min: 21, max: 400 }).map((n) => JSON.stringify({ input: 'a'.repeat(n), response_format: 'pcm' })) },
    );
    const speech = fc.record({ path: fc.constantFrom('/v1/audio/speech', '/v1/audio/speech/with-timestamps'), method: methodOr('POST'), body: speechBody });
    const reads = fc.record({
      path: fc.oneof(
        arb.queryOf(['model', 'language', 'type', 'limit', 'cursor']).map((q) => `/v1/voices${q}`),
        arb.queryOf(['model']).map((q) => `/v1/models${q}`),
        fc.oneof(fc.constantFrom('en-female', 'alloy'), arb.segment).map((id) => `/v1/voices/${id}`),
      ),
      method: methodOr('GET'),
      body: arb.bodyOf(arb.speechJson),
    });
    await edgeProperty('edge with client tokens', fc.oneof({ weight: 3, arbitrary: speech }, { weight: 1, arbitrary: reads }), 400, EDGE_503, headersWith(tokenAuthorization));
    // Admission's token path saw tokens served, out of room, and out of scope.
    for (const [kind, status] of [['open', 200], ['bound', 200], ['bound', 402], ['tiny', 200], ['tiny', 402], ['voicesOnly', 403], ['forged', 401]] as const) {
      expect(tokenAnswers[kind]?.[status], `no ${status} for the ${kind} token: ${JSON.stringify(tokenAnswers)}`).toBeGreaterThan(0);
    }
  });

  it('/admin/accounts..., /admin/keys/{id}, /admin/pool, /admin/audio-cache', async () => {
    // Ids are only known once the stack is up: placeholders, filled in as the request is sent.
    const id = fc.oneof(fc.constantFrom('{account}', '{key}'), arb.segment);
    const path = fc.oneof(
      fc.constantFrom('/admin/accounts', '/admin/pool', '/admin', '/admin/keys'),
      fc.tuple(id, fc.constantFrom('', '/keys', '/credits')).map(([i, tail]) => `/admin/accounts/${i}${tail}`),
      id.map((i) => `/admin/keys/${i}`),
      fc.oneof(fc.constant('/admin/audio-cache'), id.map((i) => `/admin/audio-cache?account=${i}`)),
    );
    const request = fc.record({ path, method: methodOr('GET', 'POST', 'DELETE', 'PATCH'), body: arb.bodyOf(arb.adminJson) });
    await edgeProperty('edge /admin/*', request, 300);
  });

  it('unknown paths and methods', async () => {
    const path = fc.tuple(fc.array(arb.segment, { minLength: 0, maxLength: 4 }), arb.queryOf(['a'])).map(([segments, q]) => `/${segments.join('/')}${q}`);
    const known = fc.constantFrom('/v1', '/v1/', '/v1/audio', '/v1/audio/speech/', '/V1/MODELS', '/v1//models', '/internal', '/admin/');
    await edgeProperty('edge unknown paths', fc.record({ path: fc.oneof(path, known), method: arb.method, body: arb.bodyOf(arb.speechJson) }), 200);
  });
});

/**
 * An upgrade request, on a connection of its own (fetch cannot send one): the answer's status,
 * content type and body. A socket that opened (101) is closed at once.
 */
function upgrade(url: string, headers: Headers): Promise<{ status: number; contentType: string | null; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent: false, headers: Object.fromEntries(headers), signal: AbortSignal.timeout(TIMEOUT_MS) });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 0, contentType: null, text: '' });
    });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? null, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

const WEBSOCKET_UPGRADE = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

describe('realtime: the socket opens (101) or answers a JSON 4xx error', () => {
  it('GET /v1/audio/speech/stream with client tokens (Authorization, ?token=), tickets (real and forged) and keys', async () => {
    // What goes in the URL: nothing (the header speaks), a client token, a ticket, or both (the ticket wins).
    const query: fc.Arbitrary<{ token?: PresentToken; ticket?: string }> = fc.oneof(
      fc.constant({}),
      clientToken.map((presented) => ({ token: presented })),
      fc.oneof(fc.constant('real' as const), arb.forgedClientToken.map((forged) => forged.replace('tkn_', 'wst_')), arb.segment).map((ticket) => ({ ticket })),
      fc.tuple(clientToken, arb.segment).map(([presented, ticket]) => ({ token: presented, ticket })),
    );
    // One in six without the upgrade headers: 426.
    const property = fc.record({ query, extra: arb.queryOf(['model', 'voice', 'token', 'ticket']), makeHeaders: headersWith(tokenAuthorization), upgrades: fc.nat({ max: 5 }).map((n) => n > 0) });
    await fc.assert(
      fc.asyncProperty(property, async ({ query: { token, ticket }, extra, makeHeaders, upgrades }) => {
        const { headers: sentHeaders, token: headerToken } = makeHeaders(credentials);
        if (upgrades) for (const [name, value] of Object.entries(WEBSOCKET_UPGRADE)) sentHeaders.set(name, value);
        const params = new URLSearchParams();
        let presented = headerToken;
        if (token) {
          const { token: value, kind } = token();
          params.set('token', value);
          presented = kind;
        }
        if (ticket) params.set('ticket', ticket === 'real' ? await socketTicket() : ticket.replaceAll('{account}', tokenOwner.account));
        const search = [params.toString(), extra.slice(1)].filter(Boolean).join('&');
        const url = `${stack.edge.url}/v1/audio/speech/stream${search ? `?${search}` : ''}`;
        // A ticket wins over any token: the edge redeems it and nothing else.
        if (new URL(url).searchParams.has('ticket')) presented = undefined;
        const sent: Sent = { method: 'GET', url, headers: sentHeaders, ...(presented ? { token: presented } : {}) };
        const what = `GET ${url} ${JSON.stringify(Object.fromEntries(sentHeaders))}`;
        let answer: Awaited<ReturnType<typeof upgrade>>;
        try {
          answer = await upgrade(url, sentHeaders);
        } catch (error) {
          throw new Error(`${what}: no answer within ${TIMEOUT_MS} ms, or the connection failed: ${String(error)}`);
        }
        tally('edge realtime socket', sent, answer.status);
        if (answer.status === 101) return expectTokenHonoured(sent, answer.status, what);
        expectError(what, sent, answer.status, answer.contentType, answer.text, []);
      }),
      { seed: SEED, numRuns: 200 },
    );
    expect(tokenAnswers['open']?.[101], `no socket opened with a token: ${JSON.stringify(answers['edge realtime socket'])}`).toBeGreaterThan(0);
  });

  it('POST /v1/audio/speech/stream/tickets: keys only', async () => {
    const request = fc.record({ path: fc.constant('/v1/audio/speech/stream/tickets'), method: methodOr('POST'), body: arb.bodyOf(arb.speechJson) });
    await edgeProperty('edge /v1/audio/speech/stream/tickets', request, 100, [], headersWith(fc.oneof(authorization, tokenAuth)));
  });
});

/** A ticket onto the socket, from the stack's key. */
async function socketTicket(): Promise<string> {
  const response = await stack.edge.fetch('/v1/audio/speech/stream/tickets', { method: 'POST', key: stack.key });
  if (response.status !== 201) throw new Error(`POST /v1/audio/speech/stream/tickets: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { ticket: string }).ticket;
}

/*
 * ElevenLabs' dialect under /elevenlabs (issue 22): the same properties as above, read in its
 * error shape ({ detail: { status, message, param? } }, `status` one of the codes the document
 * lists for the operation and status), with requests as its SDK and clients send them.
 */

/** Made before the dialect's properties: a real clip to clone, a voice of the stack's account, a designed preview, a page token. */
const elevenLabsFixtures: { clip: Uint8Array; voice: string; preview: string; pageToken: string } = { clip: new Uint8Array(), voice: '', preview: '', pageToken: '' };
beforeAll(async () => {
  const clip = await spokenClip(stack.edge, stack.key, 'This clip holds a few seconds of speech, long enough to clone a voice from, and then some more words to be sure.');
  elevenLabsFixtures.clip = clip;
  const form = new FormData();
  form.set('name', 'Fuzzed');
  form.append('files', new Blob([clip], { type: 'audio/wav' }), 'clip.wav');
  const added = await fetch(`${stack.edge.url}${ELEVENLABS_PREFIX}/v1/voices/add`, { method: 'POST', headers: { 'xi-api-key': stack.key }, body: form });
  expect(added.status, await added.clone().text()).toBe(200);
  elevenLabsFixtures.voice = ((await added.json()) as { voice_id: string }).voice_id;
  const designed = await fetch(`${stack.edge.url}${ELEVENLABS_PREFIX}/v1/text-to-voice/design`, {
    method: 'POST',
    headers: { 'xi-api-key': stack.key, 'content-type': 'application/json' },
    body: JSON.stringify({ voice_description: 'A calm, low voice.', text: 'Hello there, this is how I sound.' }),
  });
  expect(designed.status, await designed.clone().text()).toBe(200);
  elevenLabsFixtures.preview = ((await designed.json()) as { previews: Array<{ generated_voice_id: string }> }).previews[0]!.generated_voice_id;
  const page = await fetch(`${stack.edge.url}${ELEVENLABS_PREFIX}/v2/voices?page_size=1`, { headers: { 'xi-api-key': stack.key } });
  elevenLabsFixtures.pageToken = ((await page.json()) as { next_page_token: string }).next_page_token;
  expect(elevenLabsFixtures.pageToken).toBeTruthy();
});

/** The placeholders of the dialect's requests, filled in as they are sent. */
const fillInElevenLabs = (text: string) =>
  text.replaceAll('{own voice}', elevenLabsFixtures.voice).replaceAll('{preview}', elevenLabsFixtures.preview).replaceAll('{page token}', encodeURIComponent(elevenLabsFixtures.pageToken));

/** A secret as sent: its value, the kind of client token it is when it is one, and whether it may open a speech socket. */
type SentSecret = (c: typeof credentials) => { value: string; token?: TokenKind | 'forged'; speaks: boolean };
const keySecret = (value: (c: typeof credentials) => string, speaks = false): SentSecret => (c) => ({ value: value(c), speaks });
/** Tokens with the `realtime` scope that were minted and live; the others cannot open a socket. */
const SPEAKING_TOKENS: ReadonlyArray<TokenKind | 'forged'> = ['open', 'bound', 'tiny', 'singleUse'];
/** A key or client token: mostly the stack's key (so requests get past authentication), other keys, garbage, tokens minted and forged. */
const elevenLabsSecret: fc.Arbitrary<SentSecret> = fc.oneof(
  { weight: 5, arbitrary: fc.constant(keySecret((c) => c.key, true)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      keySecret((c) => c.usageOnly),
      keySecret((c) => c.admin),
      keySecret(() => 'sk-not-a-key'),
      keySecret(() => `tts_${'A'.repeat(43)}`),
      keySecret(() => ''),
      keySecret(() => '  '),
    ),
  },
  { weight: 1, arbitrary: arb.headerValue.map((value) => keySecret(() => value)) },
  {
    weight: 3,
    arbitrary: clientToken.map((present): SentSecret => () => {
      const { token, kind } = present();
      return { value: token, token: kind, speaks: SPEAKING_TOKENS.includes(kind) };
    }),
  },
);

/**
 * The dialect's headers: the credential mostly in `xi-api-key` (ElevenLabs' header), sometimes
 * none, or `Authorization` as well or instead (`xi-api-key` wins when it is not blank); JSON as
 * the content type mostly, as the SDK sends it.
 */
const elevenLabsHeaders = fc
  .record({
    xi: fc.option(elevenLabsSecret, { nil: undefined, freq: 5 }),
    bearer: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(elevenLabsSecret, fc.constantFrom('Bearer', 'bearer', 'Basic')) }),
    type: fc.oneof({ weight: 3, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: arb.contentType }),
    origin: originHeader,
    requestId: fc.option(arb.headerValue, { nil: undefined }),
  })
  .map(({ xi, bearer, type, origin, requestId }) => (c: typeof credentials): { headers: Headers; token?: TokenKind | 'forged' } => {
    const h = new Headers();
    const sentXi = xi?.(c);
    const sentBearer = bearer && { ...bearer[0](c), scheme: bearer[1] };
    if (sentXi) h.set('xi-api-key', sentXi.value);
    if (sentBearer) h.set('authorization', `${sentBearer.scheme} ${sentBearer.value}`);
    if (type !== undefined) h.set('content-type', type);
    if (origin !== undefined) h.set('origin', origin === '{self}' ? new URL(stack.edge.url).origin : origin);
    if (requestId !== undefined) h.set('x-request-id', requestId);
    // The credential the dialect reads: `xi-api-key` unless blank, else the bearer.
    const token = sentXi?.value.trim() ? sentXi.token : bearerOf(h.get('authorization')) ? sentBearer?.token : undefined;
    return { headers: h, ...(token ? { token } : {}) };
  });

/** A body, or how to make one once the fixtures exist (a form with the real clip). */
type ElevenLabsBody = Body | (() => Body);

/** Checks the property on dialect requests (a path below the prefix, a method, a body) with the dialect's headers. */
function elevenLabsProperty(target: string, request: fc.Arbitrary<{ path: string; method: string; body: ElevenLabsBody }>, numRuns: number, allowed503: string[] = EDGE_503) {
  return fc.assert(
    fc.asyncProperty(request, elevenLabsHeaders, async ({ path, method, body }, makeHeaders) => {
      const { headers: sentHeaders, token } = makeHeaders(credentials);
      const made = typeof body === 'function' ? body() : body;
      const sentBody = typeof made === 'string' ? fillInElevenLabs(made) : made;
      // A form goes with the content type fetch writes (its boundary), unless the fuzz chose an odd one.
      if (sentBody instanceof FormData && sentHeaders.get('content-type') === 'application/json') sentHeaders.delete('content-type');
      const url = `${stack.edge.url}${ELEVENLABS_PREFIX}${fillInElevenLabs(path)}`;
      await expectWellFormed(target, url, { method, headers: sentHeaders, body: sentBody, ...(token ? { token } : {}) }, allowed503);
    }),
    { seed: SEED, numRuns },
  );
}

/** `POST /v1/voices/add`'s form, from its recipe: `{clip}` is the real clip, the rest random bytes. */
const addVoiceForm = elevenLabsArb.elevenLabsAddVoiceForm.map((recipe) => (): FormData => {
  const form = new FormData();
  for (const name of ['name', 'description', 'labels', 'remove_background_noise'] as const) if (recipe[name] !== undefined) form.set(name, recipe[name]);
  for (const file of recipe.files) form.append('files', new Blob([file.bytes === '{clip}' ? elevenLabsFixtures.clip : file.bytes], { type: file.type }), file.name);
  if (recipe.filesAsText !== undefined) form.append('files', recipe.filesAsText);
  return form;
});

/** Operations of the document below the prefix that answered `status` at least once: how deep the properties got. */
const reachedWith = (status: number, ...operations: string[]) =>
  operations.forEach((operation) => expect(reached[operation]?.[status] ?? 0, `${operation} answered no ${status}: ${JSON.stringify(reached[operation])}`).toBeGreaterThan(0));

describe("ElevenLabs' dialect: every answer is a 2xx or a JSON 4xx error in its shape, { detail: { status, message } }, of a code documented for it", () => {
  it('POST /v1/text-to-speech/{voice_id}, /stream, /with-timestamps, /stream/with-timestamps (voice ids, output_format, bodies, xi-api-key)', async () => {
    const voice = fc.oneof({ weight: 5, arbitrary: elevenLabsArb.elevenLabsVoiceId }, { weight: 1, arbitrary: fc.constant('{own voice}') });
    const tail = fc.constantFrom('', '/stream', '/with-timestamps', '/stream/with-timestamps');
    const path = fc
      .tuple(voice, tail, elevenLabsArb.elevenLabsQuery(['output_format', 'optimize_streaming_latency', 'enable_logging']))
      .map(([id, rest, query]) => `/v1/text-to-speech/${id}${rest}${query}`);
    const body = fc.oneof({ weight: 3, arbitrary: arb.bodyOf(elevenLabsArb.elevenLabsSpeechJson) }, { weight: 1, arbitrary: elevenLabsArb.validElevenLabsSpeechJson.map((json) => JSON.stringify(json)) });
    await elevenLabsProperty('elevenlabs text-to-speech', fc.record({ path, method: methodOr('POST'), body }), 400);
    const speech = ['', '/stream', '/with-timestamps', '/stream/with-timestamps'].map((rest) => `POST /elevenlabs/v1/text-to-speech/{voice_id}${rest}`);
    reachedWith(200, ...speech);
    reachedWith(400, ...speech);
    reachedWith(404, speech[0]!);
  });

  it('GET /v1/voices, /v2/voices (search, paging), GET and DELETE /v1/voices/{voice_id}, /v1/models, /v1/user, /v1/user/subscription, POST /v1/single-use-token/{token_type}, paths no operation serves', async () => {
    const voiceId = fc.oneof({ weight: 3, arbitrary: elevenLabsArb.elevenLabsVoiceId }, { weight: 1, arbitrary: fc.constant('{own voice}') });
    const route = fc.oneof(
      fc.record({ path: arb.queryOf(['show_legacy']).map((q) => `/v1/voices${q}`), method: methodOr('GET') }),
      { weight: 3, arbitrary: fc.record({ path: elevenLabsArb.elevenLabsVoiceSearchQuery.map((q) => `/v2/voices${q}`), method: methodOr('GET') }) },
      { weight: 2, arbitrary: fc.record({ path: fc.tuple(voiceId, arb.queryOf(['with_settings'])).map(([id, q]) => `/v1/voices/${id}${q}`), method: methodOr('GET') }) },
      // The account's own voice is deleted once, then is 404 like any other.
      fc.record({ path: fc.oneof(fc.constant('{own voice}'), voiceId).map((id) => `/v1/voices/${id}`), method: methodOr('DELETE') }),
      fc.record({ path: fc.constantFrom('/v1/models', '/v1/user', '/v1/user/subscription'), method: methodOr('GET') }),
      fc.record({ path: fc.oneof(fc.constantFrom('tts_websocket', 'realtime_scribe', 'batch_scribe', 'TTS_WEBSOCKET'), arb.segment).map((type) => `/v1/single-use-token/${type}`), method: methodOr('POST') }),
      // Below the prefix, but no operation's: the dialect's 404.
      fc.record({
        path: fc.oneof(fc.constantFrom('', '/', '/v1', '/v1/', '/v1/text-to-speech', '/v2/voices/x', '/v1/voices/add/x', '/V1/VOICES', '/v1//voices'), fc.array(arb.segment, { maxLength: 3 }).map((s) => `/${s.join('/')}`)),
        method: arb.method,
      }),
    );
    const request = fc.tuple(route, arb.bodyOf(elevenLabsArb.elevenLabsSpeechJson)).map(([{ path, method }, body]) => ({ path, method, body }));
    await elevenLabsProperty('elevenlabs voices, models, user, tokens', request, 400);
    reachedWith(200, 'GET /elevenlabs/v1/voices', 'GET /elevenlabs/v2/voices', 'GET /elevenlabs/v1/voices/{voice_id}', 'GET /elevenlabs/v1/models', 'GET /elevenlabs/v1/user', 'GET /elevenlabs/v1/user/subscription');
    reachedWith(200, 'POST /elevenlabs/v1/single-use-token/{token_type}', 'DELETE /elevenlabs/v1/voices/{voice_id}');
    reachedWith(400, 'GET /elevenlabs/v2/voices', 'POST /elevenlabs/v1/single-use-token/{token_type}');
  });

  it('POST /v1/voices/add (multipart: files of a real clip or random bytes, missing name or files), /v1/text-to-voice/design, /create-previews, /v1/text-to-voice', async () => {
    const request = fc.oneof(
      { weight: 3, arbitrary: fc.record({ path: fc.constant('/v1/voices/add'), method: methodOr('POST'), body: fc.oneof({ weight: 4, arbitrary: addVoiceForm }, { weight: 1, arbitrary: arb.bodyOf(elevenLabsArb.elevenLabsDesignJson) }) }) },
      {
        weight: 2,
        arbitrary: fc.record({
          path: fc.tuple(fc.constantFrom('/v1/text-to-voice/design', '/v1/text-to-voice/create-previews'), arb.queryOf(['output_format'])).map(([p, q]) => p + q),
          method: methodOr('POST'),
          body: arb.bodyOf(elevenLabsArb.elevenLabsDesignJson),
        }),
      },
      { weight: 1, arbitrary: fc.record({ path: fc.constant('/v1/text-to-voice'), method: methodOr('POST'), body: arb.bodyOf(elevenLabsArb.elevenLabsSaveVoiceJson) }) },
    );
    await elevenLabsProperty('elevenlabs voices/add, text-to-voice', request, 250);
    reachedWith(200, 'POST /elevenlabs/v1/voices/add', 'POST /elevenlabs/v1/text-to-voice/design', 'POST /elevenlabs/v1/text-to-voice');
    reachedWith(400, 'POST /elevenlabs/v1/voices/add', 'POST /elevenlabs/v1/text-to-voice/design', 'POST /elevenlabs/v1/text-to-voice');
  });
});

/** What an ElevenLabs speech socket did: whether it opened, what it was sent back (JSON, or not), how it ended. */
interface SocketRun {
  opened: boolean;
  messages: Array<Record<string, unknown>>;
  notJson: string[];
  close: { code: number; reason: string } | null;
}

/** Opens a socket with undici's WebSocket (which sends headers), sends `messages` once open, and waits for the server to close it (at most TIMEOUT_MS). */
function elevenLabsSocketRun(url: string, headers: Record<string, string>, messages: ReadonlyArray<string | Uint8Array>): Promise<SocketRun> {
  return new Promise((resolve) => {
    const run: SocketRun = { opened: false, messages: [], notJson: [], close: null };
    const socket = new WebSocket(url, { headers });
    const timer = setTimeout(() => {
      resolve(run);
      socket.close();
    }, TIMEOUT_MS);
    socket.addEventListener('open', () => {
      run.opened = true;
      for (const message of messages) socket.send(message);
    });
    socket.addEventListener('message', (event) => {
      try {
        run.messages.push(JSON.parse(typeof event.data === 'string' ? event.data : '') as Record<string, unknown>);
      } catch {
        run.notJson.push(String(event.data).slice(0, 200));
      }
    });
    socket.addEventListener('close', (event) => {
      clearTimeout(timer);
      run.close = { code: event.code, reason: event.reason };
      resolve(run);
    });
  });
}

/** What a message of an ElevenLabs socket must be: audio (with its alignment), a final, or an error `{ message, error, code?, param? }`. */
function expectSocketMessage(message: Record<string, unknown>, context: string) {
  if ('error' in message) {
    expect(message.error, `${context}\n error`).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(typeof message.message, `${context}\n message`).toBe('string');
    if (message.code !== undefined) expect([1008, 1011], `${context}\n code`).toContain(message.code);
    if (message.param !== undefined) expect(typeof message.param, `${context}\n param`).toBe('string');
  } else if ('audio' in message) {
    expect(typeof message.audio, context).toBe('string');
    expect(message.isFinal, context).toBe(false);
  } else {
    expect(message.isFinal, `${context}\n neither audio, a final nor an error`).toBe(true);
  }
}

describe("ElevenLabs' speech sockets: the upgrade, then what a socket answers", () => {
  it('GET /v1/text-to-speech/{voice_id}/stream-input and /multi-stream-input: 426 without an upgrade; with one, whatever the key (header, URL, first message), query and first messages, no crash, and a refusal is an error message in its shape, then the close', async () => {
    // Where the credential goes: ElevenLabs' header, Authorization, the URL, the first message, or nowhere; or a ticket (which wins).
    const place = fc.constantFrom('xi-api-key', 'xi-api-key', 'xi-api-key', 'xi-api-key', 'authorization', 'query authorization', 'single_use_token', 'token', 'message', 'message', 'ticket', 'none');
    const property = fc.record({
      kind: fc.constantFrom('stream-input', 'multi-stream-input'),
      voice: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('en-female', 'en-male') }, { weight: 1, arbitrary: fc.constantFrom('alloy', 'voice_000000000000000000000000', '21m00Tcm4TlvDq8ikWAM', '{own voice}') }),
      oddVoice: elevenLabsArb.elevenLabsVoiceId,
      query: elevenLabsArb.elevenLabsSocketQuery,
      place,
      secret: elevenLabsSecret,
      ticket: fc.oneof(fc.constant('real' as const), arb.forgedClientToken.map((forged) => forged.replace('tkn_', 'wst_')), arb.segment),
      messages: fc.array(elevenLabsArb.elevenLabsSocketMessage, { maxLength: 3 }),
      // A socket mostly; sometimes the upgrade over plain HTTP (any voice id), or no upgrade at all (426).
      mode: fc.constantFrom('socket', 'socket', 'socket', 'socket', 'upgrade', 'no upgrade'),
    });
    await fc.assert(
      fc.asyncProperty(property, async ({ kind, voice, oddVoice, query, place: where, secret, ticket, messages, mode }) => {
        const sent = secret(credentials);
        const headers: Record<string, string> = {};
        const params = new URLSearchParams();
        if (where === 'xi-api-key') headers['xi-api-key'] = sent.value;
        if (where === 'authorization') headers.authorization = `Bearer ${sent.value}`;
        if (where === 'query authorization') params.set('authorization', `Bearer ${sent.value}`);
        if (where === 'single_use_token' || where === 'token') params.set(where, sent.value);
        if (where === 'ticket') params.set('ticket', ticket === 'real' ? await socketTicket() : ticket.replaceAll('{account}', tokenOwner.account));
        const search = [query.slice(1), params.toString()].filter(Boolean).join('&');
        const path = `${ELEVENLABS_PREFIX}/v1/text-to-speech/${fillInElevenLabs(mode === 'socket' ? voice : oddVoice)}/${kind}${search ? `?${search}` : ''}`;
        // Placeholders in messages stand for the stack's key and a live token: with them, any socket may speak.
        const withCredentials = messages.some((message) => typeof message === 'string' && /\{key\}|\{token\}/.test(message));
        const fill = (message: string | Uint8Array) => (typeof message === 'string' ? message.replaceAll('{key}', credentials.key).replaceAll('{token}', tokens.open.token) : message);
        const first = where === 'message' ? [JSON.stringify({ text: ' ', xi_api_key: sent.value })] : [];
        // Then what ends the socket whatever came before: stream-input's text "" (twice: the first opens the stream when nothing did), multi-stream-input's close_socket.
        const end = kind === 'stream-input' ? [JSON.stringify({ text: '' }), JSON.stringify({ text: '' })] : [JSON.stringify({ close_socket: true })];
        const frames = [...first, ...messages.map(fill), ...end];
        for (const frame of frames) if (typeof frame === 'string') noteSecrets(frame);
        // The credential that decides, when it is the one placed (none other in the messages).
        const token = !withCredentials && where !== 'none' && where !== 'ticket' && sent.token && (where !== 'xi-api-key' || sent.value.trim()) ? sent.token : undefined;
        const sentRequest: Sent = { method: 'GET', url: stack.edge.url + path, headers: new Headers(headers), ...(token ? { token } : {}) };
        const what = `GET ${path} ${JSON.stringify(headers)} frames=${JSON.stringify(frames.map((frame) => (typeof frame === 'string' ? frame.slice(0, 200) : `${frame.length} bytes`)))}`;

        if (mode !== 'socket') {
          const upgradeHeaders = new Headers(headers);
          if (mode === 'upgrade') for (const [name, value] of Object.entries(WEBSOCKET_UPGRADE)) upgradeHeaders.set(name, value);
          let answer: Awaited<ReturnType<typeof upgrade>>;
          try {
            answer = await upgrade(stack.edge.url + path, upgradeHeaders);
          } catch (error) {
            throw new Error(`${what}: no answer within ${TIMEOUT_MS} ms, or the connection failed: ${String(error)}`);
          }
          tally('elevenlabs socket upgrade', sentRequest, answer.status);
          if (mode === 'no upgrade') expect(answer.status, what).not.toBe(101);
          if (answer.status !== 101) expectError(what, sentRequest, answer.status, answer.contentType, answer.text, []);
          return;
        }

        const run = await elevenLabsSocketRun(stack.edge.url.replace(/^http/, 'ws') + path, headers, frames);
        tally('elevenlabs sockets', sentRequest, run.opened ? 101 : 0);
        const ends = (answers['elevenlabs sockets: closes, and sockets that spoke'] ??= {});
        ends[run.close?.code ?? 0] = (ends[run.close?.code ?? 0] ?? 0) + 1;
        const summary = run.messages.map(({ audio, alignment, normalizedAlignment, ...rest }) => ({ ...rest, ...(typeof audio === 'string' ? { audio: `${audio.length} chars` } : {}) }));
        const context = `${what}\n -> ${run.opened ? 'opened' : 'not opened'}, closed ${JSON.stringify(run.close)}, ${JSON.stringify(summary).slice(0, 800)}`;
        expect(run.opened, `${context}\n the upgrade was refused`).toBe(true);
        expect(run.notJson, context).toEqual([]);
        expect(run.close, `${context}\n the server did not end the socket within ${TIMEOUT_MS} ms`).not.toBeNull();
        // 1000 when it ended as asked, 1008 after a refusal; 1011 (our fault) and 1006 (no close frame) are crashes.
        expect([1000, 1008], context).toContain(run.close!.code);
        for (const message of run.messages) expectSocketMessage(message, context);
        const errors = run.messages.filter((message) => 'error' in message);
        for (const { error } of errors) socketErrors[String(error)] = (socketErrors[String(error)] ?? 0) + 1;
        expect(errors.map(({ error }) => error), context).not.toContain('internal_error');
        if (run.close!.code === 1008) expect(run.messages.at(-1), `${context}\n a refusal, then the close`).toMatchObject({ error: expect.any(String), code: 1008 });
        else expect(errors.filter(({ code }) => code !== undefined), `${context}\n an error that closes, but the close said otherwise`).toEqual([]);
        const served = run.messages.some((message) => (typeof message.audio === 'string' && message.audio.length > 0) || message.isFinal === true);
        const canSpeak = where === 'ticket' ? ticket === 'real' : withCredentials || (where !== 'none' && sent.speaks && !(where === 'token' && !sent.token));
        if (!canSpeak) expect(served, `${context}\n served without a credential that may speak`).toBe(false);
        if (served) {
          ends[1] = (ends[1] ?? 0) + 1;
          expectTokenHonoured(sentRequest, 101, context);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    // Deep enough to mean something: sockets spoke, and ended as asked, not all refused at the door.
    const ends = answers['elevenlabs sockets: closes, and sockets that spoke'] ?? {};
    expect(ends[1] ?? 0, JSON.stringify(ends)).toBeGreaterThan(0);
    expect(ends[1000] ?? 0, JSON.stringify(ends)).toBeGreaterThan(0);
    reachedWith(101, `GET ${ELEVENLABS_PREFIX}/v1/text-to-speech/{voice_id}/stream-input`, `GET ${ELEVENLABS_PREFIX}/v1/text-to-speech/{voice_id}/multi-stream-input`);
    reachedWith(426, `GET ${ELEVENLABS_PREFIX}/v1/text-to-speech/{voice_id}/stream-input`, `GET ${ELEVENLABS_PREFIX}/v1/text-to-speech/{voice_id}/multi-stream-input`);
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

/**
 * Read after the properties above have spent the tokens (these tests come last in the file, and a
 * file's tests run in order): what the account's object says each token used, against its caps
 * and against the ledger rows its requests left.
 */
describe('client tokens after the fuzz', () => {
  it("each token's caps held, and the ledger charged it exactly what it used", async () => {
    const db = await stack.edge.mf.getD1Database('DB');
    const charged = async (id: string) =>
      (await db.prepare('SELECT coalesce(sum(credits_charged), 0) AS credits FROM usage_ledger WHERE token_id = ?1').bind(id).first<{ credits: number }>())!.credits;
    for (const kind of ['open', 'bound', 'tiny', 'singleUse'] as const) {
      const { id } = tokens[kind];
      // Streams the fuzz dropped settle when their lease runs out (5 s), and ledger rows follow their settlement.
      const deadline = Date.now() + 20_000;
      let state = await tokenState(id);
      let ledger = await charged(id);
      while ((state.characters_reserved > 0 || ledger !== state.characters_used) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        [state, ledger] = await Promise.all([tokenState(id), charged(id)]);
      }
      const context = `${kind} token: ${JSON.stringify(state)}; its ledger rows charged ${ledger}`;
      expect(state.characters_reserved, context).toBe(0);
      expect(ledger, context).toBe(state.characters_used);
      if (state.max_characters !== null) expect(state.characters_used, context).toBeLessThanOrEqual(state.max_characters);
      const maxRequests = state.single_use ? 1 : state.max_requests;
      if (maxRequests !== null) expect(state.requests_used, context).toBeLessThanOrEqual(maxRequests);
    }
  });

  it("no secret the fuzz sent (client tokens minted or forged, API keys), in a header, a URL or a socket's message, appears in what the edge logged", () => {
    for (const { token } of Object.values(tokens)) sentSecrets.add(token.slice(token.lastIndexOf('.') + 1));
    for (const key of [credentials.key, credentials.usageOnly, tokenOwner.key]) noteSecrets(key);
    expect(sentSecrets.size).toBeGreaterThan(Object.keys(tokens).length);
    const logged = stack.edge.logs.join('\n');
    expect(logged.length, 'the edge logged nothing: this check would pass vacuously').toBeGreaterThan(0);
    const leaked = [...sentSecrets].filter((secret) => logged.includes(secret));
    expect(leaked, `secrets found in the edge's logs: ${leaked.slice(0, 3).join(', ')}`).toEqual([]);
  });
});

/**
 * Operations outside this file's properties, by OpenAPI tag, and why: none. (ElevenLabs' dialect,
 * which answers errors in its own shape, is fuzzed above with the same properties read in it.)
 */
const FUZZED_ELSEWHERE: Record<string, string> = {};

it('every operation of the OpenAPI document was fuzzed (run this file whole)', () => {
  const operations = Object.entries(openapi.paths).flatMap(([template, methods]) =>
    Object.entries(methods)
      .filter(([, operation]) => !operation.tags?.some((tag) => tag in FUZZED_ELSEWHERE))
      .map(([method]) => `${method.toUpperCase()} ${template}`),
  );
  expect(operations.length).toBeGreaterThan(0);
  expect(operations.filter((operation) => !reached[operation]), `operations no property sent a request to; reached: ${JSON.stringify(reached)}`).toEqual([]);
});
