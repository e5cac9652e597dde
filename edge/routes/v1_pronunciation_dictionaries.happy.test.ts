import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';
import { HAND_WRITTEN_PLS, HAND_WRITTEN_RULES } from '../pronunciation/dictionaries/pls-fixture.ts';

// The pronunciation dictionary routes against the edge's real D1 and KV in workerd; loadDictionaries
// (what the speech core calls) reads the same database and namespace from here.
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

type Rule = Record<string, unknown> & { string_to_replace: string };
type Dictionary = { id: string; object: string; name: string; description: string | null; version: number; latest_version: number; rules: Rule[]; created_at: string; updated_at: string };

const SQL = { type: 'alias', string_to_replace: 'SQL', alias: 'sequel' };
const TOMATO = { type: 'phoneme', string_to_replace: 'tomato', phoneme: 'təˈmeɪtoʊ', alphabet: 'ipa' };
const NGINX = { type: 'alias', string_to_replace: 'nginx', alias: 'engine x', case_sensitive: false, word_boundaries: false };
/** A rule as stored and answered: the matching options filled in. */
const stored = (rule: Record<string, unknown>) => ({ case_sensitive: true, word_boundaries: true, ...rule });

async function call<T>(key: string, method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const response = await edge.fetch(path, {
    method,
    key,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as T;
}
const create = (key: string, body: Record<string, unknown>) => call<Dictionary>(key, 'POST', '/v1/pronunciation-dictionaries', body, 201);
const getVersion = (key: string, id: string, version?: number) => call<Dictionary>(key, 'GET', `/v1/pronunciation-dictionaries/${id}${version ? `?version=${version}` : ''}`);

async function importPls(key: string, pls: string, name = 'imported'): Promise<Response> {
  const form = new FormData();
  form.set('name', name);
  form.set('file', new File([pls], 'lexicon.pls', { type: 'application/pls+xml' }));
  return edge.fetch('/v1/pronunciation-dictionaries', { method: 'POST', key, body: form });
}

describe('POST /v1/pronunciation-dictionaries', () => {
  it('makes a dictionary from JSON rules at version 1, the matching options filled in, and GET answers it', async () => {
    const { key } = await edge.createKey();
    const made = await create(key, { name: ' Tech words ', description: 'Acronyms', rules: [SQL, TOMATO, NGINX] });
    expect(made).toEqual({
      id: expect.stringMatching(/^pd_[0-9a-f]{24}$/),
      object: 'pronunciation_dictionary',
      name: 'Tech words',
      description: 'Acronyms',
      version: 1,
      latest_version: 1,
      rules: [stored(SQL), stored(TOMATO), stored(NGINX)],
      created_at: expect.any(String),
      updated_at: made.created_at,
    });
    expect(await getVersion(key, made.id)).toEqual(made);
  });

  it('keeps one rule per string: a later rule for the same string takes the earlier one’s place', async () => {
    const { key } = await edge.createKey();
    const made = await create(key, { name: 'repeats', rules: [SQL, TOMATO, { ...SQL, alias: 'squeal' }] });
    expect(made.rules).toEqual([stored({ ...SQL, alias: 'squeal' }), stored(TOMATO)]);
    expect(made.description).toBeNull();
  });

  it('imports a PLS file another tool would write (lexeme, grapheme, phoneme, alias; both alphabets; a prefer; comments)', async () => {
    const { key } = await edge.createKey();
    const response = await importPls(key, HAND_WRITTEN_PLS, 'from PLS');
    expect(response.status, await response.clone().text()).toBe(201);
    const made = (await response.json()) as Dictionary;
    expect(made).toMatchObject({ name: 'from PLS', version: 1, rules: HAND_WRITTEN_RULES });
    expect((await getVersion(key, made.id)).rules).toEqual(HAND_WRITTEN_RULES);
  });
});

describe('GET /v1/pronunciation-dictionaries', () => {
  it("lists the account's dictionaries newest first, a page at a time, without rules and without deleted ones", async () => {
    const { key } = await edge.createKey();
    const made: Dictionary[] = [];
    for (const name of ['first', 'second', 'third', 'fourth']) made.push(await create(key, { name, rules: [SQL] }));
    await call(key, 'DELETE', `/v1/pronunciation-dictionaries/${made[1]!.id}`);

    type Page = { object: string; data: Array<Record<string, unknown>>; has_more: boolean; next_after: string | null };
    const first = await call<Page>(key, 'GET', '/v1/pronunciation-dictionaries?limit=2');
    expect(first.object).toBe('list');
    expect(first.data.map(({ name }) => name)).toEqual(['fourth', 'third']);
    expect(first.has_more).toBe(true);
    expect(first.next_after).toBe(made[2]!.id);
    expect(first.data[0]).toEqual({
      id: made[3]!.id,
      object: 'pronunciation_dictionary',
      name: 'fourth',
      description: null,
      latest_version: 1,
      created_at: made[3]!.created_at,
      updated_at: made[3]!.updated_at,
    });
    const second = await call<Page>(key, 'GET', `/v1/pronunciation-dictionaries?limit=2&after=${first.next_after}`);
    expect(second.data.map(({ name }) => name)).toEqual(['first']);
    expect(second).toMatchObject({ has_more: false, next_after: null });

    const other = await edge.createKey();
    expect((await call<Page>(other.key, 'GET', '/v1/pronunciation-dictionaries')).data).toEqual([]);
  });
});

describe('changing rules', () => {
  it('add, remove and set each make a new version, and every old version stays readable as it was', async () => {
    const { key } = await edge.createKey();
    const { id } = await create(key, { name: 'versions', rules: [SQL, TOMATO] });
    type NewVersion = { id: string; version: number; latest_version: number; not_found?: string[] };

    const added = await call<NewVersion>(key, 'POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [{ ...SQL, alias: 'squeal' }, NGINX] });
    expect(added).toMatchObject({ id, version: 2, latest_version: 2 });
    const removed = await call<NewVersion>(key, 'POST', `/v1/pronunciation-dictionaries/${id}/rules/remove`, { rule_strings: ['tomato', 'MySQL'] });
    expect(removed).toMatchObject({ version: 3, latest_version: 3, not_found: ['MySQL'] });
    const set = await call<NewVersion>(key, 'PUT', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [TOMATO] });
    expect(set).toMatchObject({ version: 4, latest_version: 4 });

    const versions = await Promise.all([1, 2, 3, 4].map((version) => getVersion(key, id, version)));
    expect(versions.map(({ version, latest_version }) => [version, latest_version])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(versions.map(({ rules }) => rules)).toEqual([
      [stored(SQL), stored(TOMATO)],
      [stored({ ...SQL, alias: 'squeal' }), stored(TOMATO), stored(NGINX)],
      [stored({ ...SQL, alias: 'squeal' }), stored(NGINX)],
      [stored(TOMATO)],
    ]);
    expect(await getVersion(key, id)).toEqual(versions[3]);
    expect(Date.parse(versions[3]!.updated_at)).toBeGreaterThanOrEqual(Date.parse(versions[3]!.created_at));
  });

  it('changes made at once each make their own version: none is lost', async () => {
    const { key } = await edge.createKey();
    const { id } = await create(key, { name: 'at once', rules: [SQL] });
    const words = Array.from({ length: 10 }, (_, i) => `word${i}`);
    const answers = await Promise.all(
      words.map((word) => call<{ version: number }>(key, 'POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [{ type: 'alias', string_to_replace: word, alias: 'said' }] })),
    );
    expect(answers.map(({ version }) => version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const latest = await getVersion(key, id);
    expect(latest.version).toBe(11);
    expect(latest.rules.map(({ string_to_replace }) => string_to_replace).sort()).toEqual(['SQL', ...words].sort());
  });
});

describe('GET /v1/pronunciation-dictionaries/{id}/download', () => {
  it('answers a version as a PLS attachment, which imports back as the same rules', async () => {
    const { key } = await edge.createKey();
    const escaped = { type: 'alias', string_to_replace: 'AT&T', alias: 'A T <and> T' };
    const xsampa = { type: 'phoneme', string_to_replace: 'Zürich', phoneme: '"tsy:rIC', alphabet: 'x-sampa' };
    const { id } = await create(key, { name: 'round trip', rules: [SQL, TOMATO, escaped, xsampa] });
    await call(key, 'PUT', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [SQL] });

    const response = await edge.fetch(`/v1/pronunciation-dictionaries/${id}/download?version=1`, { key });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pls+xml; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${id}-v1.pls"`);
    const pls = await response.text();
    expect(pls).toContain('<grapheme>AT&amp;T</grapheme>');

    const imported = await importPls(key, pls);
    expect(imported.status, await imported.clone().text()).toBe(201);
    expect(((await imported.json()) as Dictionary).rules).toEqual([SQL, TOMATO, escaped, xsampa].map(stored));

    const latest = await (await edge.fetch(`/v1/pronunciation-dictionaries/${id}/download`, { key })).text();
    expect(latest).toContain('<grapheme>SQL</grapheme>');
    expect(latest).not.toContain('AT&amp;T');
  });
});

describe('DELETE /v1/pronunciation-dictionaries/{id}', () => {
  it('deletes the dictionary: it and every version answer 404 from then on, on every route', async () => {
    const { key } = await edge.createKey();
    const { id } = await create(key, { name: 'doomed', rules: [SQL] });
    await call(key, 'POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [TOMATO] });
    await getVersion(key, id, 1); // cached in KV now

    expect(await call(key, 'DELETE', `/v1/pronunciation-dictionaries/${id}`)).toEqual({ id, object: 'pronunciation_dictionary.deleted', deleted: true });
    for (const [method, path, body] of [
      ['GET', `/v1/pronunciation-dictionaries/${id}`],
      ['GET', `/v1/pronunciation-dictionaries/${id}?version=1`],
      ['GET', `/v1/pronunciation-dictionaries/${id}/download?version=2`],
      ['POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [SQL] }],
      ['POST', `/v1/pronunciation-dictionaries/${id}/rules/remove`, { rule_strings: ['SQL'] }],
      ['PUT', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [SQL] }],
      ['DELETE', `/v1/pronunciation-dictionaries/${id}`],
    ] as const) {
      const error = await call<{ error: { code: string; param: string } }>(key, method, path, body, 404);
      expect(error.error, `${method} ${path}`).toMatchObject({ code: 'pronunciation_dictionary_not_found', param: 'id' });
    }
  });
});

/*
 * loadDictionaries is imported by a path in a variable, which the type checker does not follow:
 * tests are checked against Node's types, the storage it uses needs the Workers' (D1Database).
 */
type Locator = { id: string; version?: number };
type Loaded = Array<{ id: string; version: number; rules: Rule[] }>;
type LoadDictionaries = (env: { DB: unknown; VOICES: unknown }, accountId: string, locators: Locator[]) => Promise<Loaded>;
async function loadDictionaries(env: { DB: unknown; VOICES: unknown }, accountId: string, locators: Locator[]): Promise<Loaded> {
  const modulePath = '../pronunciation/dictionaries/load-dictionaries.ts';
  const { loadDictionaries: load } = (await import(/* @vite-ignore */ modulePath)) as { loadDictionaries: LoadDictionaries };
  return load(env, accountId, locators);
}

/** The edge's D1 and KV, each call to them counted: D1 statements prepared, KV reads. */
async function countedBindings() {
  const db = await edge.mf.getD1Database('DB');
  const kv = await edge.mf.getKVNamespace('VOICES');
  const counts = { d1: 0, kvReads: 0 };
  const DB = { prepare: (sql: string) => (counts.d1++, db.prepare(sql)), batch: db.batch.bind(db) };
  const VOICES = { get: (...args: Parameters<typeof kv.get>) => (counts.kvReads++, kv.get(...args)), put: kv.put.bind(kv), delete: kv.delete.bind(kv) };
  return { env: { DB, VOICES }, counts, kv };
}

async function loadError(env: { DB: unknown; VOICES: unknown }, accountId: string, locators: Locator[]) {
  const error = (await loadDictionaries(env, accountId, locators).then(
    () => undefined,
    (thrown: unknown) => thrown,
  )) as { status: number; code: string; param: string; message: string } | undefined;
  expect(error, 'loadDictionaries took the locators').toBeDefined();
  return error!;
}

describe('loadDictionaries', () => {
  it("answers the locators' dictionaries in their order: the latest in one D1 read, a pinned version from KV alone", async () => {
    const { key, account_id } = await edge.createKey();
    const a = await create(key, { name: 'a', rules: [SQL] });
    const b = await create(key, { name: 'b', rules: [TOMATO] });
    await call(key, 'POST', `/v1/pronunciation-dictionaries/${a.id}/rules`, { rules: [NGINX] });
    const { env, counts, kv } = await countedBindings();

    const loaded = await loadDictionaries(env, account_id, [{ id: b.id }, { id: a.id, version: 1 }, { id: a.id }]);
    expect(loaded).toEqual([
      { id: b.id, version: 1, rules: [stored(TOMATO)] },
      { id: a.id, version: 1, rules: [stored(SQL)] },
      { id: a.id, version: 2, rules: [stored(SQL), stored(NGINX)] },
    ]);
    // Every version was written to KV when it was made: one D1 read for both latest versions.
    expect(counts.d1).toBe(1);

    counts.d1 = 0;
    await loadDictionaries(env, account_id, [{ id: a.id, version: 1 }, { id: b.id, version: 1 }]);
    expect(counts.d1).toBe(0);
    expect(counts.kvReads).toBeGreaterThan(0);

    // A version missing from KV is read from D1 and put back.
    const cacheKey = `pronunciation-dictionary:${account_id}/${a.id}/1`;
    await kv.delete(cacheKey);
    counts.d1 = 0;
    expect(await loadDictionaries(env, account_id, [{ id: a.id, version: 1 }])).toEqual([{ id: a.id, version: 1, rules: [stored(SQL)] }]);
    expect(counts.d1).toBe(1);
    expect(JSON.parse((await kv.get(cacheKey))!)).toEqual([stored(SQL)]);
  });

  it('is 404 for an id the account has not, a version the dictionary has not, and a deleted dictionary even pinned and cached', async () => {
    const { key, account_id } = await edge.createKey();
    const other = await edge.createKey();
    const { id } = await create(key, { name: 'a', rules: [SQL] });
    const { env } = await countedBindings();

    for (const locators of [[{ id: 'pd_000000000000000000000000' }], [{ id }, { id: 'pd_000000000000000000000000', version: 1 }]]) {
      const unknown = await loadError(env, account_id, locators);
      expect(unknown).toMatchObject({ status: 404, code: 'pronunciation_dictionary_not_found', param: 'pronunciation_dictionaries' });
      expect(unknown.message).toContain('pd_000000000000000000000000');
    }
    const version = await loadError(env, account_id, [{ id, version: 2 }]);
    expect(version).toMatchObject({ status: 404, code: 'pronunciation_dictionary_version_not_found', param: 'pronunciation_dictionaries' });
    expect(version.message).toContain(id);
    expect(version.message).toContain('no version 2');
    expect(await loadError(env, other.account_id, [{ id }])).toMatchObject({ code: 'pronunciation_dictionary_not_found' });
    expect(await loadError(env, other.account_id, [{ id, version: 1 }])).toMatchObject({ code: 'pronunciation_dictionary_not_found' });

    expect(await loadDictionaries(env, account_id, [{ id, version: 1 }])).toHaveLength(1);
    await call(key, 'DELETE', `/v1/pronunciation-dictionaries/${id}`);
    expect(await loadError(env, account_id, [{ id, version: 1 }])).toMatchObject({ code: 'pronunciation_dictionary_not_found' });
    expect(await loadError(env, account_id, [{ id }])).toMatchObject({ code: 'pronunciation_dictionary_not_found' });
  });
});
