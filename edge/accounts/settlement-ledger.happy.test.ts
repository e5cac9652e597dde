import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { type AccountLimits, LEDGER_BATCH_ROWS, type Settlement, type SettledStream } from './types.ts';

// The ledger row of a settled stream, written by the account's object: called over RPC in workerd
// as the edge calls it, with real SQLite storage, a real alarm and a real D1.
let edge: EdgeHarness;
let db: Awaited<ReturnType<EdgeHarness['mf']['getD1Database']>>;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
  db = await edge.mf.getD1Database('DB');
});
afterAll(() => edge?.dispose());

const LIMITS: AccountLimits = { requests_per_minute: 100_000, characters_per_minute: 100_000_000, concurrent_streams: 1_000, max_voices: 100 };
const plain = async <T>(value: Promise<T> | T): Promise<T> => JSON.parse(JSON.stringify(await value)) as T;
const CONTEXT = { model: 'espeak', voice: 'en-female', time_to_first_audio_ms: null };

async function account() {
  const ns = await edge.mf.getDurableObjectNamespace('ACCOUNTS');
  const id = `acct_ledger_${crypto.randomUUID()}`;
  const stub = ns.get(ns.idFromName(id)) as unknown as {
    initialize(config: unknown): Promise<unknown>;
    registerKey(id: string, expiresMs: number | null): Promise<void>;
    admit(request: unknown): Promise<{ ok: boolean }>;
    settle(request: unknown): Promise<Settlement | null>;
    progress(report: unknown): Promise<boolean>;
    flushLedger(): Promise<void>;
  };
  await stub.initialize({ account_id: id, credits: 1_000_000, limits: LIMITS });
  await stub.registerKey('key_a', null);
  // As the edge admits: the request's characters, the model and voice known at admission.
  const admit = async (request_id: string, characters: number) =>
    expect(await plain(stub.admit({ request_id, key_id: 'key_a', characters, context: CONTEXT, lease_ttl_ms: 600_000 }))).toMatchObject({ ok: true });
  const settle = (request_id: string, charge: number, status: string, stream?: SettledStream) =>
    plain(stub.settle({ request_id, charge, status, ...(stream ? { stream } : {}) }));
  const rows = async () =>
    (await db.prepare('SELECT * FROM usage_ledger WHERE account_id = ?1 ORDER BY request_id').bind(id).all<Record<string, unknown>>()).results;
  return { id, stub, admit, settle, rows };
}

describe("a settled stream's ledger row", () => {
  it('reaches D1 when the edge that settled it does nothing more (it died right after settling)', async () => {
    const { id, admit, settle, rows } = await account();
    const before = Date.now();
    await admit('vanished', 30);
    const stream = { audio_ms: 1_234.7, context: { model: 'espeak', voice: 'en-male', time_to_first_audio_ms: 87 } };
    expect(await settle('vanished', 30, 'completed', stream)).toMatchObject({ applied: true, charged: 30 });
    // Nothing else is asked of the object: its alarm alone writes the row.
    await expect.poll(rows, { timeout: 5_000, interval: 50 }).toHaveLength(1);
    const [row] = await rows();
    expect(row).toMatchObject({
      account_id: id,
      request_id: 'vanished',
      key_id: 'key_a',
      token_id: null,
      kind: 'speech',
      model: 'espeak',
      voice: 'en-male',
      characters: 30,
      audio_ms: 1_234,
      credits_charged: 30,
      status: 'completed',
      time_to_first_audio_ms: 87,
    });
    expect(Date.parse(row!.created_at as string)).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('is written once: a second settlement changes nothing, and a request that started no stream has none', async () => {
    const { stub, admit, settle, rows } = await account();
    await admit('once', 40);
    expect(await settle('once', 12, 'client_closed', { audio_ms: 660, context: CONTEXT })).toMatchObject({ applied: true, charged: 12 });
    expect(await settle('once', 40, 'completed', { audio_ms: 9_000, context: CONTEXT })).toMatchObject({ applied: false, charged: 12 });
    // As the edge releases a request no worker took: settled at nothing, not a ledger row.
    await admit('unused', 5);
    expect(await settle('unused', 0, 'failed')).toMatchObject({ applied: true, charged: 0 });
    await stub.flushLedger();
    expect(await rows()).toEqual([expect.objectContaining({ request_id: 'once', credits_charged: 12, audio_ms: 660, status: 'client_closed' })]);
  });

  it("says what the audio cache did, as the stream's context says it; NULL when it says nothing (a job's chunk)", async () => {
    const { stub, admit, settle, rows } = await account();
    for (const id of ['hit', 'miss', 'off', 'unseen', 'expired']) await admit(id, 10);
    for (const cache of ['hit', 'miss', 'off'] as const) await settle(cache, 10, 'completed', { audio_ms: 500, context: { ...CONTEXT, cache } });
    await settle('unseen', 10, 'completed', { audio_ms: 500, context: CONTEXT });
    // A lease that runs out takes the cache from its last report's context.
    expect(await stub.progress({ request_id: 'expired', charge: 3, audio_ms: 150, context: { ...CONTEXT, cache: 'hit' }, lease_ttl_ms: 1 })).toBe(true);
    await expect.poll(async () => (await rows()).length, { timeout: 5_000, interval: 50 }).toBe(5);
    expect(Object.fromEntries((await rows()).map((row) => [row.request_id, row.cache]))).toEqual({
      hit: 'hit',
      miss: 'miss',
      off: 'off',
      unseen: null,
      expired: 'hit',
    });
  });

  it('many settlements at once: every row reaches D1 once, with flushes asked for while the alarm writes', async () => {
    const { stub, admit, settle, rows } = await account();
    const ids = Array.from({ length: 30 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id) => admit(id, 10)));
    await Promise.all(ids.map((id) => settle(id, 10, 'completed', { audio_ms: 500, context: CONTEXT })));
    await Promise.all([stub.flushLedger(), stub.flushLedger(), stub.flushLedger()]);
    const written = await rows();
    expect(written.map((row) => row.request_id)).toEqual(ids);
    expect(written.every((row) => row.credits_charged === 10 && row.status === 'completed')).toBe(true);
  });

  it('stays queued while D1 refuses it, and is written by a later flush, more than a batch at a time', async () => {
    const { stub, admit, settle, rows } = await account();
    const ids = Array.from({ length: LEDGER_BATCH_ROWS + 7 }, (_, i) => `retried-${String(i).padStart(3, '0')}`);
    // This file's own D1: nothing else writes to it while the table is away.
    await db.exec('ALTER TABLE usage_ledger RENAME TO usage_ledger_away');
    try {
      await Promise.all(ids.map((id) => admit(id, 8)));
      await Promise.all(ids.map((id) => settle(id, 8, 'completed', { audio_ms: 400, context: CONTEXT })));
      // The alarm's flush, set off by the settlement, fails; so does one asked for (Miniflare's
      // proxy garbles the error it carries, so only the failure is checked).
      await expect.poll(() => edge.logs.some((line) => line.includes('ledger flush failed')), { timeout: 5_000, interval: 50 }).toBe(true);
      expect(await stub.flushLedger().then(() => 'written', () => 'failed')).toBe('failed');
    } finally {
      await db.exec('ALTER TABLE usage_ledger_away RENAME TO usage_ledger');
    }
    expect(await rows()).toEqual([]);
    await stub.flushLedger();
    const written = await rows();
    expect(written.map((row) => row.request_id)).toEqual(ids);
    expect(written.every((row) => row.credits_charged === 8)).toBe(true);
  });
});
