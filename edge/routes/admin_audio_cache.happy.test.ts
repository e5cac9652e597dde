import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

// The cache's totals through the admin API, over index rows written as the cache core writes them (no worker needed).
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

async function entry(scope: string, accountId: string, bytes: number, hits: number, doomed = false) {
  const at = new Date().toISOString();
  await (await edge.mf.getD1Database('DB'))
    .prepare(
      `INSERT INTO audio_cache_entries (scope, key, account_id, model, model_version, voice_id, bytes, created_at, last_hit_at, hits, doomed_at)
       VALUES (?1, ?2, ?3, 'espeak', 'v', 'en-male', ?4, ?5, ?5, ?6, ?7)`,
    )
    .bind(scope, crypto.randomUUID(), accountId, bytes, at, hits, doomed ? at : null)
    .run();
}

describe('GET /admin/audio-cache', () => {
  it("totals an account's entries, bytes, hits (renderings saved) and doomed entries, and the whole cache with shared entries", async () => {
    const { id: a } = await edge.createAccount();
    const { id: b } = await edge.createAccount();
    const before = (await (await edge.admin('GET', '/admin/audio-cache')).json()) as Record<string, number>;
    await entry(a, a, 1_000, 3);
    await entry(a, a, 500, 0);
    await entry(a, a, 700, 2, true);
    await entry(b, b, 50, 1);
    await entry('shared', a, 10, 7);

    const mine = await edge.admin('GET', `/admin/audio-cache?account=${a}`);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual({ object: 'audio_cache', account_id: a, entries: 2, bytes: 1_500, hits: 5, doomed: 1 });
    const all = (await (await edge.admin('GET', '/admin/audio-cache')).json()) as Record<string, number>;
    expect({ entries: all.entries! - before.entries!, bytes: all.bytes! - before.bytes!, hits: all.hits! - before.hits!, doomed: all.doomed! - before.doomed! }).toEqual({
      entries: 4,
      bytes: 1_560,
      hits: 13,
      doomed: 1,
    });
  });
});
