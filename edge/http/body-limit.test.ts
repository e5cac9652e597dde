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

/** A speech request of exactly `bytes` bytes (padded with spaces) that the route refuses for its speed. */
function speechRequestOf(bytes: number): Uint8Array {
  const json = JSON.stringify({ input: 'Hi.', speed: 10 });
  return new TextEncoder().encode(json.padEnd(bytes, ' '));
}

/** POSTs to /v1/audio/speech with its length declared, or streamed (chunked, no length). */
function postSpeech(body: Uint8Array, framing: 'declared' | 'streamed'): Promise<Response> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (framing === 'declared') return fetch(`${edge.url}/v1/audio/speech`, { method: 'POST', headers, body });
  return fetch(`${edge.url}/v1/audio/speech`, { method: 'POST', headers, body: new Blob([body]).stream(), duplex: 'half' } as RequestInit);
}

describe('a route reads a body up to its limit, and refuses a larger one', () => {
  it.each(['declared', 'streamed'] as const)('a body of the limit reaches the route whole, one byte more is 413 (%s)', async (framing) => {
    const atTheLimit = await postSpeech(speechRequestOf(MAX_BODY_BYTES.speech), framing);
    // Refused by the route for what the body says: it read all of it.
    expect(atTheLimit.status).toBe(400);
    expect(await atTheLimit.json()).toMatchObject({ error: { code: 'invalid_parameter', param: 'speed' } });
    const over = await postSpeech(speechRequestOf(MAX_BODY_BYTES.speech + 1), framing);
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ error: { code: 'body_too_large' } });
  });
});
