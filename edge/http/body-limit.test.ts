import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { MAX_BODY_BYTES } from './body-limit.ts';

let edge: EdgeHarness;
let key: string;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
  ({ key } = await edge.createKey());
});
afterAll(() => edge?.dispose());

/** Bodies each route refuses for what they say (a field out of range), padded with spaces to a size. */
const REFUSED_FOR_A_FIELD = [
  { route: '/v1/audio/speech', limit: MAX_BODY_BYTES.speech, json: { input: 'Hi.', speed: 10 }, param: 'speed' },
  // Any other JSON body (edge/http/json-body.ts): voice design and the admin routes.
  { route: '/v1/voices/design', limit: MAX_BODY_BYTES.json, json: { description: '' }, param: 'description' },
] as const;

const bodyOf = (json: object, bytes: number) => new TextEncoder().encode(JSON.stringify(json).padEnd(bytes, ' '));

/** POSTs with its length declared, or streamed (chunked, no length). */
function post(route: string, body: Uint8Array, framing: 'declared' | 'streamed'): Promise<Response> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (framing === 'declared') return fetch(edge.url + route, { method: 'POST', headers, body });
  return fetch(edge.url + route, { method: 'POST', headers, body: new Blob([body]).stream(), duplex: 'half' } as RequestInit);
}

describe('a route reads a body up to its limit, and refuses a larger one', () => {
  it.each(REFUSED_FOR_A_FIELD.flatMap((route) => (['declared', 'streamed'] as const).map((framing) => [route.route, framing, route] as const)))(
    '%s: a body of the limit reaches the route whole, one byte more is 413 (%s)',
    async (route, framing, { limit, json, param }) => {
      const atTheLimit = await post(route, bodyOf(json, limit), framing);
      // Refused by the route for what the body says: it read all of it.
      expect(atTheLimit.status).toBe(400);
      expect(await atTheLimit.json()).toMatchObject({ error: { code: 'invalid_parameter', param } });
      const over = await post(route, bodyOf(json, limit + 1), framing);
      expect(over.status).toBe(413);
      expect(await over.json()).toMatchObject({ error: { code: 'body_too_large' } });
    },
  );
});
