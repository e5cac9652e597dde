import { describe, expect, it } from 'vitest';
import { hashKeySecret } from '../auth/api-key-secret.ts';
import { useStack } from '../../test/harness/stack.ts';

// A key's allowed_origins, through the real edge and a real worker: pages on other origins are
// refused, and can read why; servers (no Origin) and keys without the list are not affected.
const stack = useStack();
const APP = 'https://app.example.com';
const OTHER = 'https://evil.example';

const speech = (key: string, origin?: string) =>
  stack.edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key,
    headers: { 'content-type': 'application/json', ...(origin === undefined ? {} : { origin }) },
    body: JSON.stringify({ input: 'Hello.', response_format: 'pcm' }),
  });
const models = (key: string, origin: string) => stack.edge.fetch('/v1/models', { key, headers: { origin } });

async function expectServed(response: Response) {
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

async function expectOriginRefused(response: Response) {
  expect(response.status).toBe(403);
  // The page reads the refusal: CORS headers on it.
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
  const { error } = (await response.json()) as { error: { type: string; code: string; message: string } };
  expect(error).toMatchObject({ type: 'permission_error', code: 'origin_not_allowed' });
  expect(error.message).toContain(OTHER);
}

describe('a key with allowed_origins', () => {
  it('serves a listed origin and requests without Origin, refuses another origin 403 origin_not_allowed', async () => {
    const { key } = await stack.edge.createKey({ allowed_origins: [APP, 'http://localhost:5173'] });
    await expectServed(await speech(key, APP));
    await expectServed(await speech(key, 'http://localhost:5173'));
    await expectServed(await speech(key)); // a server
    await expectOriginRefused(await speech(key, OTHER));
    await expectOriginRefused(await models(key, OTHER));
    // Near misses are other origins.
    expect((await speech(key, `${APP}/`)).status).toBe(403);
    expect((await speech(key, 'https://app.example.com:8443')).status).toBe(403);
    expect((await speech(key, 'http://app.example.com')).status).toBe(403);
    expect((await speech(key, 'null')).status).toBe(403);
  });

  it("serves the API's own origin (its playground)", async () => {
    const { key } = await stack.edge.createKey({ allowed_origins: [APP] });
    await expectServed(await speech(key, stack.edge.url));
  });

  it('refuses the other origin on the realtime ticket route', async () => {
    const { key } = await stack.edge.createKey({ allowed_origins: [APP] });
    const tickets = (origin: string) => stack.edge.fetch('/v1/audio/speech/stream/tickets', { method: 'POST', key, headers: { origin } });
    expect((await tickets(APP)).status).toBe(201);
    await expectOriginRefused(await tickets(OTHER));
  });
});

describe('a key without allowed_origins', () => {
  it('serves any origin', async () => {
    const { key } = await stack.edge.createKey();
    await expectServed(await speech(key, OTHER));
    await expectServed(await speech(key, APP));
  });

  it('serves any origin when its KV record predates the field', async () => {
    const { key } = await stack.edge.createKey({ allowed_origins: [APP] });
    const kv = await stack.edge.mf.getKVNamespace('API_KEYS');
    const kvKey = `key:${await hashKeySecret(key)}`;
    const { allowed_origins, ...older } = JSON.parse((await kv.get(kvKey, 'text'))!) as Record<string, unknown>;
    expect(allowed_origins).toEqual([APP]);
    await kv.put(kvKey, JSON.stringify(older));
    // The isolate has not read this key yet, so it reads the older record.
    await expectServed(await speech(key, OTHER));
  });
});
