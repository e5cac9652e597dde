import type { PronunciationRule } from '../../shared/schemas/pronunciation.ts';

/**
 * The account's pronunciation dictionaries. D1 is the truth: one row per dictionary (its latest
 * version among them) and one immutable row per version with its rules as JSON. A version never
 * changes, so its rules are also kept in KV (the voices' namespace) under account/id/version: a
 * request pinned to a version reads KV alone; D1 answers a miss, which fills KV. A delete leaves a
 * tombstone in KV beside them (one write, however many versions there are), read with the version.
 * Every query names the account, so one account's dictionaries are never reachable with another's key.
 */

export interface DictionaryRow {
  id: string;
  account_id: string;
  name: string;
  description: string | null;
  latest_version: number;
  created_at: string;
  updated_at: string;
}

export interface DictionaryPage {
  dictionaries: DictionaryRow[];
  /** Pass as `after` for the next page; null on the last. */
  next: string | null;
}

/** A new list of rules made from the latest version's; may be called again if another change lands first. */
export type RulesChange = (current: PronunciationRule[]) => PronunciationRule[];

export interface DictionaryStore {
  create(row: Omit<DictionaryRow, 'latest_version' | 'updated_at'>, rules: PronunciationRule[]): Promise<DictionaryRow>;
  /** Null when the account has no such dictionary (or deleted it). */
  get(accountId: string, id: string): Promise<DictionaryRow | null>;
  /** Newest first. Null when `after` names no dictionary of the account. */
  page(accountId: string, options: { limit: number; after?: string | undefined }): Promise<DictionaryPage | null>;
  /** The latest version of each of `ids` the account has (deleted ones left out), in one read. */
  latestVersions(accountId: string, ids: string[]): Promise<Map<string, number>>;
  /** The rules of one version; null when the account has no such dictionary or version. */
  rules(accountId: string, id: string, version: number): Promise<PronunciationRule[] | null>;
  /**
   * Stores `change(latest rules)` as the next version: the dictionary at it, `not_found` when the
   * account has no such dictionary, `contended` when other changes kept landing first.
   */
  addVersion(accountId: string, id: string, change: RulesChange): Promise<DictionaryRow | 'not_found' | 'contended'>;
  /** Marks the dictionary deleted, so that none of its versions is served again. False when there was none. */
  delete(accountId: string, id: string): Promise<boolean>;
}

const LIVE = 'deleted_at IS NULL';
const kvKey = (accountId: string, id: string, version: number | 'deleted') => `pronunciation-dictionary:${accountId}/${id}/${version}`;
// Cached rules go after a day unread or not: a fill that races a delete may put a version back,
// and the tombstone, kept twice as long, outlives it.
const KV_TTL_SECONDS = 24 * 60 * 60;
const TOMBSTONE_TTL_SECONDS = 2 * KV_TTL_SECONDS;
// Changes at once all build on the same latest version; each round one lands and the others build
// again, so a change fails only when this many others landed while it tried.
const CHANGE_ATTEMPTS = 16;

export class D1DictionaryStore implements DictionaryStore {
  private readonly db: D1Database;
  private readonly kv: KVNamespace;
  constructor(db: D1Database, kv: KVNamespace) {
    this.db = db;
    this.kv = kv;
  }

  async create(fields: Omit<DictionaryRow, 'latest_version' | 'updated_at'>, rules: PronunciationRule[]): Promise<DictionaryRow> {
    const row: DictionaryRow = { ...fields, latest_version: 1, updated_at: fields.created_at };
    await this.db.batch([
      this.db
        .prepare('INSERT INTO pronunciation_dictionaries (id, account_id, name, description, latest_version, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5)')
        .bind(row.id, row.account_id, row.name, row.description, row.created_at),
      this.insertVersion(row.id, 1, rules, row.created_at),
    ]);
    await this.cache(row.account_id, row.id, 1, rules);
    return row;
  }

  get(accountId: string, id: string): Promise<DictionaryRow | null> {
    return this.db
      .prepare(`SELECT id, account_id, name, description, latest_version, created_at, updated_at FROM pronunciation_dictionaries WHERE account_id = ?1 AND id = ?2 AND ${LIVE}`)
      .bind(accountId, id)
      .first<DictionaryRow>();
  }

  /** `after` is the id of the last dictionary of the previous page (a cursor by creation time, then id). */
  async page(accountId: string, { limit, after }: { limit: number; after?: string | undefined }): Promise<DictionaryPage | null> {
    const cursor =
      after === undefined
        ? null
        : await this.db.prepare('SELECT created_at, id FROM pronunciation_dictionaries WHERE account_id = ?1 AND id = ?2').bind(accountId, after).first<{ created_at: string; id: string }>();
    if (after !== undefined && !cursor) return null;
    const { results } = await this.db
      .prepare(
        `SELECT id, account_id, name, description, latest_version, created_at, updated_at FROM pronunciation_dictionaries
         WHERE account_id = ?1 AND ${LIVE} AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3))
         ORDER BY created_at DESC, id DESC LIMIT ?4`,
      )
      .bind(accountId, cursor?.created_at ?? null, cursor?.id ?? null, limit + 1)
      .all<DictionaryRow>();
    const dictionaries = results.slice(0, limit);
    return { dictionaries, next: results.length > limit ? dictionaries.at(-1)!.id : null };
  }

  async latestVersions(accountId: string, ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const { results } = await this.db
      .prepare(`SELECT id, latest_version FROM pronunciation_dictionaries WHERE account_id = ?1 AND ${LIVE} AND id IN (SELECT value FROM json_each(?2))`)
      .bind(accountId, JSON.stringify(ids))
      .all<{ id: string; latest_version: number }>();
    return new Map(results.map(({ id, latest_version }) => [id, latest_version]));
  }

  async rules(accountId: string, id: string, version: number): Promise<PronunciationRule[] | null> {
    const [cached, tombstone] = await Promise.all([
      this.kv.get<PronunciationRule[]>(kvKey(accountId, id, version), { type: 'json' }),
      this.kv.get(kvKey(accountId, id, 'deleted')),
    ]);
    if (tombstone !== null) return null;
    if (cached) return cached;
    const row = await this.db
      .prepare(
        `SELECT v.rules FROM pronunciation_dictionary_versions v JOIN pronunciation_dictionaries d ON d.id = v.dictionary_id
         WHERE d.account_id = ?1 AND d.id = ?2 AND d.${LIVE} AND v.version = ?3`,
      )
      .bind(accountId, id, version)
      .first<{ rules: string }>();
    if (!row) return null;
    const rules = JSON.parse(row.rules) as PronunciationRule[];
    await this.cache(accountId, id, version, rules);
    return rules;
  }

  async addVersion(accountId: string, id: string, change: RulesChange): Promise<DictionaryRow | 'not_found' | 'contended'> {
    for (let attempt = 1; attempt <= CHANGE_ATTEMPTS; attempt++) {
      const current = await this.get(accountId, id);
      if (!current) return 'not_found';
      const latestRules = await this.rules(accountId, id, current.latest_version);
      if (!latestRules) return 'not_found';
      const rules = change(latestRules);
      const version = current.latest_version + 1;
      const now = new Date().toISOString();
      try {
        // One transaction: the version's row exists only if the dictionary moved to it. The
        // primary key refuses a second version of the same number, so a change made at once by
        // another request fails here and builds again on the version that one made.
        const [, moved] = await this.db.batch([
          this.insertVersion(id, version, rules, now),
          this.db
            .prepare(`UPDATE pronunciation_dictionaries SET latest_version = ?1, updated_at = ?2 WHERE account_id = ?3 AND id = ?4 AND latest_version = ?5 AND ${LIVE}`)
            .bind(version, now, accountId, id, current.latest_version),
        ]);
        if (moved!.meta.changes === 1) {
          await this.cache(accountId, id, version, rules);
          return { ...current, latest_version: version, updated_at: now };
        }
        // Deleted meanwhile: the version row stays unreachable, as all of a deleted dictionary's.
        return 'not_found';
      } catch (error) {
        if (!String(error).includes('UNIQUE')) throw error;
      }
    }
    return 'contended';
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const deleted = await this.db
      .prepare(`UPDATE pronunciation_dictionaries SET deleted_at = ?1 WHERE account_id = ?2 AND id = ?3 AND ${LIVE} RETURNING latest_version`)
      .bind(new Date().toISOString(), accountId, id)
      .first<{ latest_version: number }>();
    if (!deleted) return false;
    await this.kv.put(kvKey(accountId, id, 'deleted'), '1', { expirationTtl: TOMBSTONE_TTL_SECONDS });
    return true;
  }

  private insertVersion(id: string, version: number, rules: PronunciationRule[], createdAt: string): D1PreparedStatement {
    return this.db
      .prepare('INSERT INTO pronunciation_dictionary_versions (dictionary_id, version, rules, created_at) VALUES (?1, ?2, ?3, ?4)')
      .bind(id, version, JSON.stringify(rules), createdAt);
  }

  private cache(accountId: string, id: string, version: number, rules: PronunciationRule[]): Promise<void> {
    return this.kv.put(kvKey(accountId, id, version), JSON.stringify(rules), { expirationTtl: KV_TTL_SECONDS });
  }
}
