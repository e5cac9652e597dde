import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type GpuWorkerHarness, startGpuWorker } from '../../test/harness/gpu-worker.ts';

// GET /v1/usage over a ledger written by real speech requests.
let worker: GpuWorkerHarness;
let edge: EdgeHarness;
let accountId: string;
let keyA: { key: string; id: string };
let keyB: { key: string; id: string };
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  worker = await startGpuWorker();
  edge = await startEdge({ workerUrls: [worker.url], workerSecret: worker.secret });
  accountId = (await edge.createAccount({ credits: 10_000 })).id;
  keyA = await edge.createKey({ account: accountId });
  keyB = await edge.createKey({ account: accountId });
  const other = await edge.createKey(); // another account's usage must never show
  for (const [key, input] of [
    [keyA.key, 'One two three.'], // 14
    [keyA.key, 'Four five six seven.'], // 20
    [keyB.key, 'Eight.'], // 6
    [other.key, 'Somebody else entirely.'],
  ] as const) {
    const response = await edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input, response_format: 'pcm' }),
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  }
  // Settlement is written after each response (waitUntil): wait for the three ledger rows.
  const deadline = Date.now() + 15_000;
  const recorded = async () => ((await (await edge.admin('GET', `/admin/accounts/${accountId}`)).json()) as { usage: { requests: number } }).usage.requests;
  while ((await recorded()) < 3) {
    if (Date.now() > deadline) throw new Error('the ledger never recorded the three requests');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});
afterAll(async () => {
  await edge?.dispose();
  await worker?.stop();
});

type Usage = {
  object: string;
  start: string;
  end: string;
  group_by: string;
  balance: number;
  reserved: number;
  totals: { requests: number; characters: number; audio_ms: number; credits_charged: number };
  data: Array<Record<string, string | number>>;
};
const getUsage = async (query = '') => {
  const response = await edge.fetch(`/v1/usage${query}`, { key: keyA.key });
  expect(response.status).toBe(200);
  return (await response.json()) as Usage;
};

describe('GET /v1/usage', () => {
  it('totals the account over the last 30 days by day by default', async () => {
    const usage = await getUsage();
    expect(usage).toMatchObject({ object: 'usage', end: today, group_by: 'day' });
    expect(usage.totals).toMatchObject({ requests: 3, characters: 40, credits_charged: 40 });
    expect(usage.totals.audio_ms).toBeGreaterThan(1_000);
    expect(usage.data).toEqual([{ date: today, ...usage.totals }]);
  });

  it('groups by key and by model', async () => {
    const byKey = await getUsage(`?group_by=key&start=${today}&end=${today}`);
    const rows = Object.fromEntries(byKey.data.map((row) => [row.key_id, row]));
    expect(rows[keyA.id]).toMatchObject({ requests: 2, characters: 34, credits_charged: 34 });
    expect(rows[keyB.id]).toMatchObject({ requests: 1, characters: 6, credits_charged: 6 });
    expect(byKey.data).toHaveLength(2);
    const byModel = await getUsage('?group_by=model');
    expect(byModel.data).toEqual([{ model: 'espeak', ...byModel.totals }]);
  });

  it('groups by what the audio cache did, rows it did not see as "none"', async () => {
    // Rows as the account's object writes them: speech the cache served, rendered or stayed out
    // of, and a job's chunk and a voice it never saw (their cache is NULL).
    const { key, account_id } = await edge.createKey();
    const db = await edge.mf.getD1Database('DB');
    const now = new Date().toISOString();
    const rows: Array<[request_id: string, kind: string, characters: number, credits_charged: number, cache: string | null]> = [
      ['hit-1', 'speech', 10, 3, 'hit'],
      ['hit-2', 'speech', 20, 6, 'hit'],
      ['miss-1', 'speech', 7, 7, 'miss'],
      ['off-1', 'speech', 5, 5, 'off'],
      ['job.0.0', 'job_chunk', 30, 30, null],
      ['voice-1', 'voice_clone', 0, 100, null],
    ];
    await db.batch(
      rows.map(([request_id, kind, characters, credits_charged, cache]) =>
        db
          .prepare(
            `INSERT INTO usage_ledger (account_id, request_id, key_id, model, voice, characters, audio_ms, credits_charged, status,
               time_to_first_audio_ms, created_at, kind, cache)
             VALUES (?1, ?2, 'key_x', 'espeak', 'en-female', ?3, ?4, ?5, 'completed', 40, ?6, ?7, ?8)`,
          )
          .bind(account_id, request_id, characters, characters * 50, credits_charged, now, kind, cache),
      ),
    );
    const response = await edge.fetch('/v1/usage?group_by=cache', { key });
    expect(response.status).toBe(200);
    const usage = (await response.json()) as Usage;
    expect(usage.group_by).toBe('cache');
    expect(usage.data).toEqual([
      { cache: 'hit', requests: 2, characters: 30, audio_ms: 1_500, credits_charged: 9 },
      { cache: 'miss', requests: 1, characters: 7, audio_ms: 350, credits_charged: 7 },
      { cache: 'none', requests: 2, characters: 30, audio_ms: 1_500, credits_charged: 130 },
      { cache: 'off', requests: 1, characters: 5, audio_ms: 250, credits_charged: 5 },
    ]);
    expect(usage.totals).toEqual({ requests: 6, characters: 72, audio_ms: 3_600, credits_charged: 151 });
  });

  it("says the account's credits now: the balance after what the three requests cost, nothing held", async () => {
    const usage = await getUsage('?start=2020-01-01&end=2020-01-01');
    expect(usage).toMatchObject({ balance: 10_000 - 40, reserved: 0 });
  });

  it('counts only the days asked for', async () => {
    const usage = await getUsage('?start=2020-01-01&end=2020-01-31');
    expect(usage).toMatchObject({ start: '2020-01-01', end: '2020-01-31', data: [], totals: { requests: 0, characters: 0 } });
  });

  it('includes a stream read right after it ends: once nothing is held, its row is in the totals', async () => {
    const { key } = await edge.createKey({ credits: 1_000 });
    const response = await edge.fetch('/v1/audio/speech', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Read me back.', response_format: 'pcm' }), // 13
    });
    await response.arrayBuffer();
    // The edge settles as the body ends, beside this read: until then the stream shows as reserved.
    // A read that shows it settled has its row, whether or not the object's alarm has written it.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const read = await edge.fetch('/v1/usage', { key });
      expect(read.status).toBe(200);
      const usage = (await read.json()) as Usage;
      if (usage.reserved === 0) {
        expect(usage).toMatchObject({ balance: 1_000 - 13, totals: { requests: 1, characters: 13, credits_charged: 13 } });
        break;
      }
      if (Date.now() > deadline) throw new Error('the stream never settled');
    }
  });
});
