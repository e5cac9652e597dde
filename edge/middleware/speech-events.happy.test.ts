import { afterAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { startStack, useStack } from '../../test/harness/stack.ts';

// The edge's data points, on real streams from a real gpu-worker. Miniflare's own Analytics
// Engine binding drops them, so the harness binds SPEECH_EVENTS to a recorder that logs each one
// (test/harness/edge.ts): the edge's code runs unchanged up to `writeDataPoint`.
const stack = useStack();

interface DataPoint {
  indexes: string[];
  blobs: [model: string, format: string, outcome: string, requestId: string, cache: string];
  doubles: [status: number, ttfbMs: number, characters: number, durationMs: number, bytes: number];
}

const dataPoints = (edge: EdgeHarness) =>
  edge.logs
    .filter((line) => line.startsWith('{"analytics_engine":'))
    .map((line) => JSON.parse(line) as { analytics_engine: string; data_point: DataPoint });

/** The one data point the request wrote, once it is written. */
async function dataPointOf(requestId: string, edge = stack.edge): Promise<DataPoint> {
  const of = () => dataPoints(edge).filter(({ data_point }) => data_point.blobs[3] === requestId);
  await expect.poll(() => of().length, { timeout: 15_000, interval: 50 }).toBeGreaterThan(0);
  await new Promise((resolve) => setTimeout(resolve, 100)); // time enough for a second one to show
  expect(of()).toHaveLength(1);
  expect(of()[0]!.analytics_engine).toBe('open_tts_speech_events_dev');
  return of()[0]!.data_point;
}

const speech = (body: Record<string, unknown>, init: { key?: string; signal?: AbortSignal; edge?: EdgeHarness } = {}) =>
  (init.edge ?? stack.edge).fetch('/v1/audio/speech', {
    method: 'POST',
    key: init.key ?? stack.key,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });

const LONG_INPUT = Array.from({ length: 60 }, (_, i) => `Sentence ${i} keeps this stream going for a while.`).join(' ');

describe('one Analytics Engine data point per speech request', () => {
  it('a completed stream: account, model, format, outcome, status, first byte, characters, duration and bytes', async () => {
    const { key, account_id } = await stack.edge.createKey();
    const input = 'Hello from the analytics test.'; // 30 characters
    const response = await speech({ input, voice: 'en-female', response_format: 'wav' }, { key });
    expect(response.status).toBe(200);
    const bytes = (await response.arrayBuffer()).byteLength;
    const point = await dataPointOf(response.headers.get('x-request-id')!);
    expect(point.indexes).toEqual([account_id]);
    // The harness's edge has the audio cache off (test/harness/edge.ts): the cache stayed out.
    expect(point.blobs).toEqual(['espeak', 'wav', 'completed', response.headers.get('x-request-id'), 'off']);
    const [status, ttfbMs, characters, durationMs, sent] = point.doubles;
    expect({ status, characters, sent }).toEqual({ status: 200, characters: 30, sent: bytes });
    expect(ttfbMs).toBeGreaterThan(0);
    expect(durationMs).toBeGreaterThanOrEqual(ttfbMs);
  });

  it('an SSE stream counts its audio bytes, not the events around them', async () => {
    const response = await speech({ input: 'Events, please.', response_format: 'pcm', stream_format: 'sse' });
    expect(response.status).toBe(200);
    const events = await response.text();
    const point = await dataPointOf(response.headers.get('x-request-id')!);
    expect(point.blobs.slice(0, 3)).toEqual(['espeak', 'pcm', 'completed']);
    expect(point.doubles[4]).toBeGreaterThan(0);
    expect(point.doubles[4]).toBeLessThan(events.length); // base64 in JSON is larger than the audio
  });

  it('with timestamps: the whole audio, one point', async () => {
    const response = await stack.edge.fetch('/v1/audio/speech/with-timestamps', {
      method: 'POST',
      key: stack.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Times, please.', response_format: 'wav' }),
    });
    expect(response.status).toBe(200);
    await response.json();
    const point = await dataPointOf(response.headers.get('x-request-id')!);
    expect(point.blobs.slice(0, 3)).toEqual(['espeak', 'wav', 'completed']);
    expect(point.doubles[2]).toBe(14);
  });

  it('a client that leaves mid-stream: client_closed, with the bytes handed over until then', async () => {
    const abort = new AbortController();
    const response = await speech({ input: LONG_INPUT, response_format: 'pcm' }, { signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 48_000) received += (await reader.read()).value!.byteLength; // a second of audio
    abort.abort();
    const point = await dataPointOf(response.headers.get('x-request-id')!);
    expect(point.blobs[2]).toBe('client_closed');
    expect(point.doubles[0]).toBe(200);
    expect(point.doubles[4]).toBeGreaterThanOrEqual(received);
    // At least what the client read, plus what was in flight; well short of the whole text (55 ms of audio a character).
    expect(point.doubles[4]).toBeLessThan(([...LONG_INPUT].length * 55 * 48) / 2);
  });

  it('clients that leave while the edge waits on the worker: each still gets its point', async () => {
    // A stream ahead of playback is paced by the worker, so the edge's body spends most of its
    // time waiting on it. workerd 2026-04 could tear such a request down without cancel or abort
    // when the client left then (edge/http/metered-stream.ts): with the worker's writes batched,
    // 12 and 13 of 15 such points were lost there; none of 45 on 2026-07-30.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const abort = new AbortController();
      const response = await speech({ input: LONG_INPUT, response_format: 'pcm' }, { signal: abort.signal });
      const reader = response.body!.getReader();
      const seconds = 1 + (i % 3); // leave at different points of the stream
      for (let received = 0; received < 48_000 * seconds; ) received += (await reader.read()).value!.byteLength;
      abort.abort();
      ids.push(response.headers.get('x-request-id')!);
    }
    for (const id of ids) expect((await dataPointOf(id)).blobs[2]).toBe('client_closed');
  });

  it('a worker that dies mid-stream: failed, though the status was 200', async () => {
    const doomed = await startStack();
    try {
      const response = await speech({ input: LONG_INPUT, response_format: 'pcm' }, { key: doomed.key, edge: doomed.edge });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      await doomed.worker.kill();
      while (!(await reader.read().catch(() => ({ done: true }))).done);
      const point = await dataPointOf(response.headers.get('x-request-id')!, doomed.edge);
      expect(point.blobs.slice(0, 3)).toEqual(['espeak', 'pcm', 'failed']);
      expect(point.doubles[0]).toBe(200);
    } finally {
      await doomed.stop();
    }
  });

  it('refused before admission (a model the pool lacks): the account, but no characters, format or model', async () => {
    const { key, account_id } = await stack.edge.createKey();
    const response = await speech({ input: 'Which model?', model: 'no-such-model', response_format: 'opus' }, { key });
    expect(response.status).toBe(404);
    const point = await dataPointOf(response.headers.get('x-request-id')!);
    expect(point).toEqual({
      indexes: [account_id],
      blobs: ['', '', 'no_audio', response.headers.get('x-request-id'), ''],
      doubles: [404, -1, 0, expect.any(Number), 0],
    });
  });

  it('refused before the key is known: no account, no characters', async () => {
    const response = await speech({ input: 'Let me in.' }, { key: 'sk-not-a-key' });
    expect(response.status).toBe(401);
    const point = await dataPointOf(response.headers.get('x-request-id')!);
    expect(point).toEqual({ indexes: [''], blobs: ['', '', 'no_audio', response.headers.get('x-request-id'), ''], doubles: [401, -1, 0, expect.any(Number), 0] });
  });

  it('other routes write none', async () => {
    const response = await stack.edge.fetch('/v1/models', { key: stack.key });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    await expect.poll(() => stack.edge.logs.some((line) => line.includes(requestId) && line.includes('"message":"request"'))).toBe(true);
    expect(dataPoints(stack.edge).some(({ data_point }) => data_point.blobs[3] === requestId)).toBe(false);
  });
});

describe('an edge without the SPEECH_EVENTS binding', () => {
  let bare: EdgeHarness | undefined;
  afterAll(() => bare?.dispose());

  it('serves speech as before and writes nothing', async () => {
    bare = await startEdge({ workerUrls: [stack.worker.url], workerSecret: stack.worker.secret, analytics: false });
    const { key } = await bare.createKey();
    const response = await speech({ input: 'No analytics here.', response_format: 'wav' }, { key, edge: bare });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(44);
    const requestId = response.headers.get('x-request-id')!;
    // The request log line comes when the stream has ended, as the data point would have.
    await expect.poll(() => bare!.logs.some((line) => line.includes(requestId) && line.includes('"outcome":"completed"'))).toBe(true);
    expect(dataPoints(bare)).toEqual([]);
    expect(bare.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
