import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type EdgeHarness } from '../../test/harness/edge.ts';

// An isolate that meets bad values (here Miniflare bindings over wrangler.toml's [vars], as a
// deploy that skipped the check would): every request answers 500 server_misconfigured, the
// reason is logged once, and nothing reaches a route or a worker (none runs here).
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({
    workerUrls: ['http://127.0.0.1:9'],
    workerSecret: 'unused',
    vars: { DEFAULT_RESPONSE_FORMAT: 'ogg', OPENAI_ALIASES: '{ "modles": {} }' },
  });
});
afterAll(() => edge?.dispose());

const speech = () =>
  edge.fetch('/v1/audio/speech', {
    method: 'POST',
    key: 'tts_not-a-real-key-but-never-looked-at',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: 'Hello.', voice: 'en-female' }),
  });

const jsonLines = () => edge.logs.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('an edge with an invalid configuration', () => {
  it('answers every request 500 server_misconfigured as JSON with its request id, logs why once, and never a stack trace', async () => {
    const responses = [await speech(), await speech(), await edge.admin('GET', '/admin/pool')];
    for (const response of responses) {
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ error: { type: 'internal_error', code: 'server_misconfigured', message: expect.any(String) } });
      expect(text).not.toMatch(/ogg|modles|\bat /);
    }

    // Each request's log line is written after the configuration was read for it.
    const requestIds = responses.map((response) => response.headers.get('x-request-id'));
    await expect.poll(() => requestIds.every((id) => jsonLines().some((line) => line.message === 'request' && line.request_id === id)), { timeout: 15_000 }).toBe(true);
    const reports = jsonLines().filter((line) => Array.isArray(line.problems));
    expect(reports).toEqual([
      {
        level: 'error',
        message: expect.stringContaining('server_misconfigured'),
        problems: [
          'DEFAULT_RESPONSE_FORMAT: must be one of mp3, opus, aac, flac, wav, pcm, mulaw, alaw, got "ogg"',
          'OPENAI_ALIASES: (top level): Unrecognized key: "modles", got "{ \\"modles\\": {} }"',
        ],
      },
    ]);
    expect(edge.logs.join('\n')).not.toMatch(/"stack"|\n\s+at /);
  });
});
