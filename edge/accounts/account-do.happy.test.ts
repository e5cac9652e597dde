import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { plain, testAccount } from '../../test/harness/account-object.ts';
import type { AccountLimits } from './types.ts';

// The account's Durable Object called directly over RPC, in workerd with its real SQLite
// storage: the rules that no HTTP route can reach on its own (lease expiry, double settlement).
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

const account = (credits: number, limits: Partial<AccountLimits> = {}) => testAccount(edge, credits, limits);

describe('AccountDO', () => {
  it('admits exactly what the credits cover when fifty admissions race, and never goes below zero', async () => {
    const { admit, snapshot } = await account(30);
    // Leases long enough to outlast a loaded machine: the snapshot below must still see them.
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => admit(`r${i}`, 10, { lease_ttl_ms: 600_000 })));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'insufficient_credits')).toBe(true);
    expect(await snapshot()).toMatchObject({ balance: 0, reserved: 30, active_streams: 3 });
  });

  it('settles once per request id: the first charge stands, capped at the reservation, the rest refunded', async () => {
    const { admit, settle, snapshot } = await account(100);
    expect(await admit('once', 40)).toMatchObject({ ok: true, reserved: 40, balance: 60 });
    expect(await settle('once', 15, 'client_closed')).toMatchObject({ applied: true, charged: 15, reserved: 40, balance: 85, status: 'client_closed' });
    expect(await settle('once', 40)).toMatchObject({ applied: false, charged: 15, balance: 85, status: 'client_closed' });
    expect((await snapshot()).balance).toBe(85);

    expect(await admit('greedy', 10)).toMatchObject({ ok: true });
    expect(await settle('greedy', 1_000)).toMatchObject({ charged: 10, balance: 75 });
    expect(await settle('never-admitted', 5)).toBeNull();
  });

  it('refuses a request id it has already seen, running or settled', async () => {
    const { admit, settle } = await account(100);
    expect(await admit('dup', 1)).toMatchObject({ ok: true });
    expect(await admit('dup', 1)).toMatchObject({ ok: false, reason: 'request_id_reused' });
    await settle('dup', 1);
    expect(await admit('dup', 1)).toMatchObject({ ok: false, reason: 'request_id_reused' });
  });

  it('frees the slot of a stream whose reports stopped, charging its last reported progress and writing its ledger row', async () => {
    const { stub, admit, settle, snapshot, id } = await account(100, { concurrent_streams: 1 });
    // Leases long enough to outlast a loaded machine until the last report, which lets it run out at once.
    const first = await admit('torn-down', 40, { lease_ttl_ms: 600_000 });
    expect(first).toMatchObject({ ok: true });
    const context = { model: 'espeak', voice: 'en-female', time_to_first_audio_ms: 12 };
    expect(await stub.progress({ request_id: 'torn-down', charge: 9, audio_ms: 480, context, lease_ttl_ms: 600_000 })).toBe(true);
    expect(await admit('blocked', 5)).toMatchObject({ ok: false, reason: 'concurrent_streams', retry_after_seconds: 1 });
    expect(await stub.progress({ request_id: 'torn-down', charge: 5, audio_ms: 200, lease_ttl_ms: 1 })).toBe(true); // late, smaller: ignored

    // No more reports: the object's alarm settles the lease when it runs out, with no request to prompt it.
    const db = await edge.mf.getD1Database('DB');
    await expect
      .poll(() => db.prepare('SELECT * FROM usage_ledger WHERE account_id = ?1').bind(id).first(), { timeout: 5_000, interval: 50 })
      .toMatchObject({
        request_id: 'torn-down',
        key_id: 'key_a',
        model: 'espeak',
        voice: 'en-female',
        characters: 40,
        audio_ms: 480,
        credits_charged: 9,
        status: 'lease_expired',
        time_to_first_audio_ms: 12,
      });
    expect(await snapshot()).toMatchObject({ balance: 100 - 9, active_streams: 0, reserved: 0 });
    expect(await stub.progress({ request_id: 'torn-down', charge: 40, audio_ms: 9_000 })).toBe(false);
    expect(await settle('torn-down', 40)).toMatchObject({ applied: false, status: 'lease_expired', charged: 9 });
    expect(await admit('next', 5)).toMatchObject({ ok: true });
  });

  it('refuses revoked, expired and unknown keys', async () => {
    const { stub, admit } = await account(100);
    await stub.registerKey('key_old', Date.now() - 1);
    expect(await plain(stub.admit({ request_id: 'x1', key_id: 'key_old', characters: 1 }))).toMatchObject({ ok: false, reason: 'key_expired' });
    expect(await plain(stub.admit({ request_id: 'x2', key_id: 'key_nobody', characters: 1 }))).toMatchObject({ ok: false, reason: 'key_unknown' });
    expect(await stub.revokeKey('key_a')).toBe(true);
    expect(await admit('x3', 1)).toMatchObject({ ok: false, reason: 'key_revoked' });
  });

  it('never lets a credit removal take the balance below zero', async () => {
    const { stub, snapshot } = await account(10);
    expect(await plain(stub.addCredits(-11))).toEqual({ ok: false, balance: 10 });
    expect(await plain(stub.addCredits(-10))).toEqual({ ok: true, balance: 0 });
    expect(await plain(stub.addCredits(5))).toEqual({ ok: true, balance: 5 });
    expect((await snapshot()).balance).toBe(5);
  });
});
