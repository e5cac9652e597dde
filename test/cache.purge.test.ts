import { Response as MiniflareResponse } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { type CacheEntryRef, cacheApiUrl, cacheObjectName } from '../edge/cache/cache-status.ts';
import { WORKER_PATHS } from '../shared/protocol/worker-api.ts';
import { spokenClip, uploadVoice } from './clips.ts';
import { useStack } from './harness/stack.ts';
import { signedWorkerFetch } from './worker-client.ts';

/**
 * The audio cache's purges and bounds through the stack (edge in workerd with real D1, R2 and
 * Cache API, a real gpu-worker on espeak). Entries are seeded as the cache core stores them (an R2
 * object and an index row), then a voice delete, a dictionary change or the minute's sweep must
 * delete exactly the audio they made stale or out of bounds, and nothing else.
 */
const MAX_BYTES = 1_000;
const stack = useStack({ edgeVars: { AUDIO_CACHE_MAX_BYTES_PER_ACCOUNT: String(MAX_BYTES), AUDIO_CACHE_MAX_AGE_DAYS: '30' } });
const DAY_MS = 86_400_000;

const post = (path: string, body: unknown, key: string, method = 'POST') =>
  stack.edge.fetch(path, { method, key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function newKey(): Promise<{ key: string; account: string }> {
  const { key, account_id } = await stack.edge.createKey();
  return { key, account: account_id };
}

/** The version the worker serves espeak at now (its signed catalog, as the edge reads it): what a fresh entry is made with. */
let servedEspeak: Promise<string> | undefined;
function servedEspeakVersion(): Promise<string> {
  servedEspeak ??= (async () => {
    const { response } = await signedWorkerFetch(stack.worker.url, stack.worker.secret, WORKER_PATHS.catalog);
    const catalog = (await response.json()) as { models: Array<{ id: string; version: string }> };
    return catalog.models.find((model) => model.id === 'espeak')!.version;
  })();
  return servedEspeak;
}

/** Stores an entry as the cache core does: its audio in R2, a copy in the Cache API, its row in the index. */
async function seed(entry: Partial<CacheEntryRef> & Pick<CacheEntryRef, 'accountId'>, options: { bytes?: number; heardAt?: Date } = {}): Promise<CacheEntryRef> {
  const ref: CacheEntryRef = {
    scope: entry.accountId,
    key: crypto.randomUUID().replaceAll('-', ''),
    model: 'espeak',
    modelVersion: await servedEspeakVersion(),
    voiceId: 'en-male',
    voiceVersion: null,
    dictionaries: [],
    ...entry,
  };
  const bytes = options.bytes ?? 10;
  await (await stack.edge.mf.getR2Bucket('AUDIO_CACHE')).put(cacheObjectName(ref), new Uint8Array(bytes));
  const cache = (await stack.edge.mf.getCaches()).default;
  // Miniflare's proxy carries its own Response class, not Node's.
  await cache.put(cacheApiUrl(ref), new MiniflareResponse(new Uint8Array(bytes), { headers: { 'cache-control': 'max-age=3600' } }));
  // The row D1AudioCacheIndex.record writes (that class needs workerd's types, which tests do not load).
  const at = (options.heardAt ?? new Date()).toISOString();
  await (await stack.edge.mf.getD1Database('DB'))
    .prepare(
      `INSERT INTO audio_cache_entries (scope, key, account_id, model, model_version, voice_id, voice_version, dictionaries, bytes, created_at, last_hit_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)`,
    )
    .bind(ref.scope, ref.key, ref.accountId, ref.model, ref.modelVersion, ref.voiceId, ref.voiceVersion, ref.dictionaries.length > 0 ? `,${ref.dictionaries.join(',')},` : '', bytes, at)
    .run();
  return ref;
}

/** Runs one statement on the index, as the edge would (a hit's touch, a change's doom). */
async function onIndex(sql: string, ...values: unknown[]): Promise<number> {
  const result = await (await stack.edge.mf.getD1Database('DB')).prepare(sql).bind(...values).run();
  return result.meta.changes;
}

/** Where an entry still is: its R2 object, its Cache API copy, its index row (and whether doomed). */
async function whereIs(ref: CacheEntryRef): Promise<{ r2: boolean; cacheApi: boolean; row: 'live' | 'doomed' | 'none' }> {
  const object = await (await stack.edge.mf.getR2Bucket('AUDIO_CACHE')).head(cacheObjectName(ref));
  const copy = await (await stack.edge.mf.getCaches()).default.match(cacheApiUrl(ref));
  await copy?.arrayBuffer();
  const row = await (await stack.edge.mf.getD1Database('DB'))
    .prepare('SELECT doomed_at FROM audio_cache_entries WHERE scope = ?1 AND key = ?2')
    .bind(ref.scope, ref.key)
    .first<{ doomed_at: string | null }>();
  return { r2: object !== null, cacheApi: copy !== undefined, row: row === null ? 'none' : row.doomed_at === null ? 'live' : 'doomed' };
}

const KEPT = { r2: true, cacheApi: true, row: 'live' } as const;
const GONE = { r2: false, cacheApi: false, row: 'none' } as const;

/** The purge runs behind the answer (waitUntil): wait for its outcome, not for a guessed time. */
const eventuallyGone = (ref: CacheEntryRef) => expect.poll(() => whereIs(ref), { timeout: 10_000, interval: 50 }).toEqual(GONE);

async function sweep(): Promise<Record<string, unknown>> {
  const before = stack.edge.logs.length;
  const worker = await stack.edge.mf.getWorker();
  const result = await worker.scheduled({ cron: '* * * * *' });
  expect(result.outcome).toBe('ok');
  // workerd's stdout reaches the harness's lines a moment after the handler returns.
  const logged = () => stack.edge.logs.slice(before).find((text) => text.includes('"audio cache sweep"'));
  await expect.poll(logged, { timeout: 5_000, interval: 20 }).toBeDefined();
  return JSON.parse(logged()!) as Record<string, unknown>;
}

describe('audio cache purges', () => {
  it("a voice delete purges that voice's entries, and only its account's", async () => {
    const owner = await newKey();
    const created = await uploadVoice(stack.edge, owner.key, await spokenClip(stack.edge, owner.key, 'This is my voice. I keep talking for a few seconds, so that the clip is long enough to clone.'), { name: 'mine' });
    expect(created.status, await created.clone().text()).toBe(201);
    const voice = ((await created.json()) as { id: string }).id;
    const other = await newKey();

    const doomed = [await seed({ accountId: owner.account, voiceId: voice, voiceVersion: 1 }), await seed({ accountId: owner.account, voiceId: voice, voiceVersion: 1, model: 'qwen3' })];
    const presetOfOwner = await seed({ accountId: owner.account });
    const sameIdElsewhere = await seed({ accountId: other.account, voiceId: voice, voiceVersion: 1 });

    const deleted = await stack.edge.fetch(`/v1/voices/${voice}`, { method: 'DELETE', key: owner.key });
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    // Doomed before the answer (durable), purged behind it.
    for (const ref of doomed) expect((await whereIs(ref)).row).not.toBe('live');
    for (const ref of doomed) await eventuallyGone(ref);
    expect(await whereIs(presetOfOwner)).toEqual(KEPT);
    expect(await whereIs(sameIdElsewhere)).toEqual(KEPT);
  });

  it("ElevenLabs' voice delete purges the same way", async () => {
    const owner = await newKey();
    const created = await uploadVoice(stack.edge, owner.key, await spokenClip(stack.edge, owner.key, 'Another voice of mine, speaking for long enough to be cloned by the worker.'), { name: 'mine too' });
    expect(created.status, await created.clone().text()).toBe(201);
    const voice = ((await created.json()) as { id: string }).id;
    const entry = await seed({ accountId: owner.account, voiceId: voice, voiceVersion: 1 });
    const presetOfOwner = await seed({ accountId: owner.account });

    const deleted = await stack.edge.fetch(`/elevenlabs/v1/voices/${voice}`, { method: 'DELETE', headers: { 'xi-api-key': owner.key } });
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    await eventuallyGone(entry);
    expect(await whereIs(presetOfOwner)).toEqual(KEPT);
  });

  it("a dictionary's new version purges the entries of every version of it; its delete those made since", async () => {
    const { key, account } = await newKey();
    const created = await post('/v1/pronunciation-dictionaries', { name: 'db', rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel' }] }, key);
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const otherAccount = await newKey();

    const firstVersion = await seed({ accountId: account, dictionaries: [`${id}@1`] });
    const amongOthers = await seed({ accountId: account, dictionaries: ['pd_before@3', `${id}@1`, 'pd_after@1'] });
    // Ids that contain this one's, or match it as a LIKE pattern would (`_` is a wildcard there), are other dictionaries.
    const longerId = await seed({ accountId: account, dictionaries: [`${id}x@1`] });
    const likeLookalike = await seed({ accountId: account, dictionaries: [`${id.replace('_', 'X')}@1`] });
    const without = await seed({ accountId: account });
    const sameIdElsewhere = await seed({ accountId: otherAccount.account, dictionaries: [`${id}@1`] });

    const changed = await post(`/v1/pronunciation-dictionaries/${id}/rules`, { rules: [{ type: 'alias', string_to_replace: 'TTS', alias: 'text to speech' }] }, key);
    expect(changed.status, await changed.clone().text()).toBe(200);
    await eventuallyGone(firstVersion);
    await eventuallyGone(amongOthers);
    for (const ref of [longerId, likeLookalike, without, sameIdElsewhere]) expect(await whereIs(ref)).toEqual(KEPT);

    // Replacing all rules, removing some, deleting: each is a change.
    const secondVersion = await seed({ accountId: account, dictionaries: [`${id}@2`] });
    const replaced = await post(`/v1/pronunciation-dictionaries/${id}/rules`, { rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'S Q L' }] }, key, 'PUT');
    expect(replaced.status, await replaced.clone().text()).toBe(200);
    await eventuallyGone(secondVersion);
    const thirdVersion = await seed({ accountId: account, dictionaries: [`${id}@3`] });
    const removed = await post(`/v1/pronunciation-dictionaries/${id}/rules/remove`, { rule_strings: ['SQL'] }, key);
    expect(removed.status, await removed.clone().text()).toBe(200);
    await eventuallyGone(thirdVersion);
    const fourthVersion = await seed({ accountId: account, dictionaries: [`${id}@4`] });
    const deleted = await stack.edge.fetch(`/v1/pronunciation-dictionaries/${id}`, { method: 'DELETE', key });
    expect(deleted.status, await deleted.clone().text()).toBe(200);
    await eventuallyGone(fourthVersion);
    for (const ref of [longerId, likeLookalike, without, sameIdElsewhere]) expect(await whereIs(ref)).toEqual(KEPT);
  });
});

describe("the minute's sweep", () => {
  it('purges what was stored after its voice was deleted or its dictionary changed (a miss still rendering then), and keeps what is current', async () => {
    const { key, account } = await newKey();
    const created = await uploadVoice(stack.edge, key, await spokenClip(stack.edge, key, 'A voice that stays, talking for long enough to be cloned.'), { name: 'stays' });
    expect(created.status, await created.clone().text()).toBe(201);
    const voice = ((await created.json()) as { id: string }).id;
    const row = await (await stack.edge.mf.getD1Database('DB')).prepare('SELECT version FROM voices WHERE id = ?1').bind(voice).first<{ version: number }>();
    const dictionary = await post('/v1/pronunciation-dictionaries', { name: 'db', rules: [{ type: 'alias', string_to_replace: 'SQL', alias: 'sequel' }] }, key);
    const { id } = (await dictionary.json()) as { id: string };
    expect((await post(`/v1/pronunciation-dictionaries/${id}/rules`, { rules: [{ type: 'alias', string_to_replace: 'TTS', alias: 'text to speech' }] }, key)).status).toBe(200);
    const gone = await post('/v1/pronunciation-dictionaries', { name: 'gone', rules: [{ type: 'alias', string_to_replace: 'A', alias: 'B' }] }, key);
    const goneId = ((await gone.json()) as { id: string }).id;
    expect((await stack.edge.fetch(`/v1/pronunciation-dictionaries/${goneId}`, { method: 'DELETE', key })).status).toBe(200);

    // Stored after the changes, as a miss that ended after them would be.
    const current = [await seed({ accountId: account, voiceId: voice, voiceVersion: row!.version }), await seed({ accountId: account, dictionaries: [`${id}@2`] })];
    const orphans = [
      await seed({ accountId: account, voiceId: 'voice_deleted', voiceVersion: 1 }),
      await seed({ accountId: account, voiceId: voice, voiceVersion: row!.version - 1 }),
      await seed({ accountId: account, dictionaries: [`${id}@1`] }),
      await seed({ accountId: account, dictionaries: [`${goneId}@1`] }),
    ];
    const counts = await sweep();
    expect(counts.orphaned).toBeGreaterThanOrEqual(orphans.length);
    for (const ref of orphans) expect(await whereIs(ref)).toEqual(GONE);
    for (const ref of current) expect(await whereIs(ref)).toEqual(KEPT);
  });


  it('evicts the least recently heard beyond an account’s bytes, and what was not heard for the maximum age', async () => {
    const { account } = await newKey();
    const neighbour = await newKey();
    const now = Date.now();
    const heard = (daysAgo: number) => new Date(now - daysAgo * DAY_MS);
    // 4 × 400 bytes against a bound of 1,000: the two most recently heard fit.
    const oldest = await seed({ accountId: account }, { bytes: 400, heardAt: heard(4) });
    const older = await seed({ accountId: account }, { bytes: 400, heardAt: heard(3) });
    const recent = await seed({ accountId: account }, { bytes: 400, heardAt: heard(2) });
    const newest = await seed({ accountId: account }, { bytes: 400, heardAt: heard(1) });
    // Heard again now: the oldest rendering is the most recently heard, and stays.
    await onIndex('UPDATE audio_cache_entries SET last_hit_at = ?3, hits = hits + 1 WHERE scope = ?1 AND key = ?2', oldest.scope, oldest.key, new Date(now).toISOString());
    const unheard = await seed({ accountId: neighbour.account }, { bytes: 10, heardAt: heard(31) });
    const heardInTime = await seed({ accountId: neighbour.account }, { bytes: 900, heardAt: heard(29) });

    const counts = await sweep();
    expect(counts).toMatchObject({ level: 'info' });
    expect(counts.over_size).toBeGreaterThanOrEqual(2);
    expect(counts.aged).toBeGreaterThanOrEqual(1);
    expect(await whereIs(older)).toEqual(GONE);
    expect(await whereIs(recent)).toEqual(GONE);
    expect(await whereIs(unheard)).toEqual(GONE);
    for (const ref of [oldest, newest, heardInTime]) expect(await whereIs(ref)).toEqual(KEPT);
  });

  it('purges the entries of a model version no longer served, and leaves a model no worker serves', async () => {
    const { account } = await newKey();
    const served = await servedEspeakVersion();
    expect(served).toMatch(/^espeak-ng@/);

    const current = await seed({ accountId: account, modelVersion: served });
    const stale = await seed({ accountId: account, modelVersion: `${served}-replaced` });
    const unserved = await seed({ accountId: account, model: 'no-such-model', modelVersion: 'any' });

    const counts = await sweep();
    expect(counts.stale_model).toBeGreaterThanOrEqual(1);
    expect(counts.models_skipped).toBeUndefined();
    expect(await whereIs(stale)).toEqual(GONE);
    expect(await whereIs(current)).toEqual(KEPT);
    expect(await whereIs(unserved)).toEqual(KEPT);
  });

  it('finishes a purge that was doomed but not done, and is idempotent', async () => {
    const { account } = await newKey();
    const ref = await seed({ accountId: account, voiceId: 'voice_gone', voiceVersion: 1 });
    // Doomed as a change dooms it, with the purge behind its answer lost (its isolate died, say).
    expect(await onIndex('UPDATE audio_cache_entries SET doomed_at = ?2 WHERE account_id = ?1', account, new Date().toISOString())).toBe(1);
    // And its audio already half gone: the R2 object deleted, the row not yet.
    await (await stack.edge.mf.getR2Bucket('AUDIO_CACHE')).delete(cacheObjectName(ref));
    expect(await whereIs(ref)).toEqual({ r2: false, cacheApi: true, row: 'doomed' });

    const counts = await sweep();
    expect(counts.purged).toBeGreaterThanOrEqual(1);
    expect(await whereIs(ref)).toEqual(GONE);
    expect((await sweep()).purged).toBe(0);
  });
});
