import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { plain, testAccount } from '../../test/harness/account-object.ts';
import type { AccountLimits } from './types.ts';

// A long-form job's credits on the account's Durable Object, called over RPC in workerd: held up
// front, drawn on by its chunks, topped up by what they do not charge, released at the end.
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

const LIMITS: Partial<AccountLimits> = { characters_per_minute: 1_000, concurrent_streams: 3 };
const LONG = 600_000;

async function account(credits: number, limits: Partial<AccountLimits> = {}) {
  const { stub, admit, snapshot } = await testAccount(edge, credits, { ...LIMITS, ...limits });
  const chunk = (request_id: string, characters: number) => admit(request_id, characters, { job_id: 'job_1', count_request: false, lease_ttl_ms: LONG });
  const live = (request_id: string, characters: number) => admit(request_id, characters, { lease_ttl_ms: LONG });
  return { stub, chunk, live, snapshot };
}

describe("a job's hold on the account", () => {
  it('holds all the characters up front, or refuses the job and holds nothing', async () => {
    const { stub, snapshot } = await account(5_000);
    expect(await plain(stub.holdJob({ key_id: 'key_a', job_id: 'job_big', characters: 6_000 }))).toMatchObject({ ok: false, reason: 'insufficient_credits', balance: 5_000 });
    expect(await snapshot()).toMatchObject({ balance: 5_000, reserved: 0 });
    // More than a minute's characters: a job is not bound by the character rate.
    expect(await plain(stub.holdJob({ key_id: 'key_a', job_id: 'job_1', characters: 4_000 }))).toMatchObject({ ok: true, reserved: 4_000, balance: 1_000 });
    expect(await snapshot()).toMatchObject({ balance: 1_000, reserved: 4_000 });
    expect(await plain(stub.holdJob({ key_id: 'key_a', job_id: 'job_1', characters: 10 }))).toMatchObject({ ok: false, reason: 'request_id_reused' });
  });

  it("draws each chunk from the hold, gives back what a failed attempt did not charge, and releases the rest", async () => {
    const { stub, chunk, snapshot } = await account(10_000);
    await stub.holdJob({ key_id: 'key_a', job_id: 'job_1', characters: 3_000 });
    expect(await chunk('job_1.0.1', 1_000)).toMatchObject({ ok: true, reserved: 1_000, balance: 7_000 });
    expect(await stub.jobHold('job_1')).toBe(2_000);
    // A failed attempt: nothing charged, its characters back in the hold for the next attempt.
    await stub.settle({ request_id: 'job_1.0.1', charge: 0, status: 'failed' });
    expect(await stub.jobHold('job_1')).toBe(3_000);
    expect(await chunk('job_1.0.2', 1_000)).toMatchObject({ ok: true });
    await stub.settle({ request_id: 'job_1.0.2', charge: 1_000, status: 'completed' });
    expect(await stub.jobHold('job_1')).toBe(2_000);
    // A chunk larger than what the hold keeps is refused: a job never spends beyond its hold.
    expect(await chunk('job_1.1.1', 2_001)).toMatchObject({ ok: false, reason: 'insufficient_credits' });
    // The end: what the hold keeps goes back; charged exactly the chunk stored.
    expect(await stub.releaseJob('job_1')).toBe(2_000);
    expect(await stub.releaseJob('job_1')).toBe(0);
    expect(await snapshot()).toMatchObject({ balance: 9_000, reserved: 0, active_streams: 0 });
  });

  it("never takes the account's last free stream slot, so live speech still starts while a job renders", async () => {
    const { stub, chunk, live, snapshot } = await account(10_000, { concurrent_streams: 3 });
    await stub.holdJob({ key_id: 'key_a', job_id: 'job_1', characters: 5_000 });
    expect(await chunk('job_1.0.1', 100)).toMatchObject({ ok: true });
    expect(await chunk('job_1.1.1', 100)).toMatchObject({ ok: true });
    expect(await chunk('job_1.2.1', 100)).toMatchObject({ ok: false, reason: 'concurrent_streams' });
    expect(await live('live_1', 10)).toMatchObject({ ok: true });
    expect(await snapshot()).toMatchObject({ active_streams: 3 });
    expect(await live('live_2', 10)).toMatchObject({ ok: false, reason: 'concurrent_streams' });
  });

  it('uses the only slot of an account that has one', async () => {
    const { stub, chunk } = await account(10_000, { concurrent_streams: 1 });
    await stub.holdJob({ key_id: 'key_a', job_id: 'job_1', characters: 500 });
    expect(await chunk('job_1.0.1', 100)).toMatchObject({ ok: true });
  });
});
