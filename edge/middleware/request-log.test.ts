import { describe, expect, it } from 'vitest';
import { useStack } from '../../test/harness/stack.ts';

// The request log line, read from what workerd printed, for requests on real streams.
const stack = useStack();

interface LogLine {
  level: string;
  message: string;
  request_id: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  account_id?: string;
  model?: string;
  format?: string;
  characters?: number;
  ttfb_ms?: number | null;
  outcome?: string;
  bytes?: number;
}

const requestLines = () =>
  stack.edge.logs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((entry) => entry.message === 'request');

/** The request's line, once written; there must be exactly one. */
async function lineOf(response: Response): Promise<LogLine> {
  const requestId = response.headers.get('x-request-id')!;
  expect(requestId).toBeTruthy();
  const of = () => requestLines().filter((entry) => entry.request_id === requestId);
  await expect.poll(() => of().length, { timeout: 15_000, interval: 50 }).toBeGreaterThan(0);
  await new Promise((resolve) => setTimeout(resolve, 100)); // time enough for a second one to show
  expect(of()).toHaveLength(1);
  return of()[0]!;
}

const speech = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  stack.edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('one request log line per request', () => {
  it('speech: written when the stream ends, with the account, model, characters and first byte', async () => {
    const { key, account_id } = await stack.edge.createKey();
    const response = await speech(key, { input: 'Log this, please.', voice: 'en-female', response_format: 'mp3' });
    expect(response.status).toBe(200);
    const bytes = (await response.arrayBuffer()).byteLength;
    const line = await lineOf(response);
    expect(line).toEqual({
      level: 'info',
      message: 'request',
      request_id: response.headers.get('x-request-id'),
      method: 'POST',
      path: '/v1/audio/speech',
      status: 200,
      duration_ms: expect.any(Number),
      account_id,
      model: 'espeak',
      cache: 'off',
      format: 'mp3',
      characters: 17,
      ttfb_ms: expect.any(Number),
      outcome: 'completed',
      bytes,
    });
    expect(line.ttfb_ms!).toBeGreaterThan(0);
    expect(line.duration_ms).toBeGreaterThanOrEqual(line.ttfb_ms!);
  });

  it('keeps the caller\'s request id, the one the response carries', async () => {
    const offered = `caller-${crypto.randomUUID()}`;
    const response = await speech(stack.key, { input: 'Mine.', response_format: 'pcm' }, { 'x-request-id': offered });
    expect(response.headers.get('x-request-id')).toBe(offered);
    await response.arrayBuffer();
    expect(await lineOf(response)).toMatchObject({ request_id: offered, outcome: 'completed' });
  });

  it('every other kind of request: routes, refusals, admin, unknown paths', async () => {
    const { key, account_id } = await stack.edge.createKey();
    const cases: Array<[Response, Partial<LogLine>]> = [
      [await stack.edge.fetch('/v1/models', { key }), { method: 'GET', path: '/v1/models', status: 200, account_id }],
      [await stack.edge.fetch('/v1/usage', { key }), { method: 'GET', path: '/v1/usage', status: 200, account_id }],
      [await speech('sk-not-a-key', { input: 'Let me in.' }), { method: 'POST', path: '/v1/audio/speech', status: 401 }],
      [await speech(key, { input: '' }), { method: 'POST', path: '/v1/audio/speech', status: 400, account_id }],
      [await stack.edge.admin('GET', `/admin/accounts/${account_id}`), { method: 'GET', path: `/admin/accounts/${account_id}`, status: 200 }],
      [await stack.edge.fetch('/nowhere'), { method: 'GET', path: '/nowhere', status: 404 }],
    ];
    for (const [response, expected] of cases) {
      await response.arrayBuffer();
      const line = await lineOf(response);
      expect(line).toMatchObject({ level: 'info', message: 'request', ...expected });
      expect(line.duration_ms).toEqual(expect.any(Number));
      if (!expected.account_id) expect(line).not.toHaveProperty('account_id');
      // Speech fields only for an admitted speech request; a refused one never reached the worker.
      expect(line).not.toHaveProperty('model');
    }
  });
});

describe('the logs never hold a secret', () => {
  it('neither API keys, the Authorization header, the admin token nor a query string', async () => {
    const { key } = await stack.edge.createKey();
    const responses = [
      await speech(key, { input: 'A secret-free stream.', response_format: 'wav' }),
      // A key in the query string, as a careless client may send it: the path is logged without it.
      await stack.edge.fetch(`/v1/models?api_key=${key}`, { key }),
      await speech(`${key}x`, { input: 'A wrong key.' }),
      await stack.edge.fetch('/v1/models', { headers: { authorization: `Basic ${btoa(`user:${key}`)}` } }),
      await stack.edge.admin('GET', '/admin/pool'),
    ];
    for (const response of responses) await response.arrayBuffer();
    for (const response of responses) await lineOf(response);
    expect((await lineOf(responses[1]!)).path).toBe('/v1/models');

    const logs = stack.edge.logs.join('\n');
    for (const secret of [key, stack.key, key.slice(-16), stack.edge.adminToken, btoa(`user:${key}`), stack.worker.secret]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/bearer|authorization|api_key=/i);
  });
});
