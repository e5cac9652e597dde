/**
 * API key lookups by hash. KV holds them because every request reads one and keys are written
 * rarely; the secret is never stored, only its SHA-256. KV is eventually consistent (and cached
 * at the edge), so it only says which key and account a secret belongs to: whether the key may
 * still be used is asked of the account's Durable Object on every request (see api-key-auth.ts).
 * D1 indexes keys by id, for revocation and listings.
 */
import { LRUCache } from 'lru-cache';

/** `tokens`: may mint client tokens (POST /v1/tokens), each with at most the key's own powers. */
export type KeyScope = 'speech' | 'voices' | 'usage' | 'tokens';
export const KEY_SCOPES: readonly KeyScope[] = ['speech', 'voices', 'usage', 'tokens'];

export interface ApiKeyRecord {
  id: string;
  account_id: string;
  /** The first characters of the secret, for people to recognise the key. */
  prefix: string;
  scopes: KeyScope[];
  created_at: string;
  expires_at: string | null;
  /** Set when the key is revoked. KV copies lag; the account's Durable Object does not. */
  revoked_at?: string | null;
  /** The web origins the key may be used from (edge/auth/allowed-origins.ts). Absent (older records) or null: any. */
  allowed_origins?: string[] | null;
}

export interface ApiKeyStore {
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  put(hash: string, record: ApiKeyRecord): Promise<void>;
}

// Per isolate, a copy kept as long as KV's own edge cache keeps one (cacheTtl below), and as
// stale: every request reads its key, so this saves a KV read on all but an isolate's first
// request with a key. Only keys that exist are kept (made-up keys still read KV each time).
const CACHE_TTL_SECONDS = 60;
const records = new LRUCache<string, ApiKeyRecord>({ max: 10_000, ttl: CACHE_TTL_SECONDS * 1000 });

export class KvApiKeyStore implements ApiKeyStore {
  private readonly kv: KVNamespace;
  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | null> {
    // Keys change rarely, and revocation does not rely on a copy going away: the account's
    // Durable Object refuses a revoked key at once.
    const cached = records.get(hash);
    if (cached) return cached;
    const record = await this.kv.get<ApiKeyRecord>(`key:${hash}`, { type: 'json', cacheTtl: CACHE_TTL_SECONDS });
    if (record) records.set(hash, record);
    return record;
  }

  async put(hash: string, record: ApiKeyRecord): Promise<void> {
    await this.kv.put(`key:${hash}`, JSON.stringify(record));
  }
}

/** A key as the admin API lists it: never its secret or hash. */
export interface ApiKeyView extends ApiKeyRecord {
  revoked_at: string | null;
  allowed_origins: string[] | null;
}

/** The record KV holds for a key (the same fields as the admin view). */
export const kvRecordOf = ({ id, account_id, prefix, scopes, created_at, expires_at, revoked_at, allowed_origins }: ApiKeyView): ApiKeyRecord => ({
  id,
  account_id,
  prefix,
  scopes,
  created_at,
  expires_at,
  revoked_at,
  allowed_origins,
});

interface KeyRow {
  id: string;
  account_id: string;
  key_hash: string;
  prefix: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** JSON; NULL for any origin (every key issued before the column was added). */
  allowed_origins: string | null;
}

const toView = (row: KeyRow): ApiKeyView => ({
  id: row.id,
  account_id: row.account_id,
  prefix: row.prefix,
  scopes: JSON.parse(row.scopes) as KeyScope[],
  created_at: row.created_at,
  expires_at: row.expires_at,
  revoked_at: row.revoked_at,
  allowed_origins: row.allowed_origins === null ? null : (JSON.parse(row.allowed_origins) as string[]),
});

export class D1ApiKeyIndex {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async insert(hash: string, record: ApiKeyRecord): Promise<void> {
    await this.db
      .prepare('INSERT INTO api_keys (id, account_id, key_hash, prefix, scopes, created_at, expires_at, allowed_origins) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)')
      .bind(
        record.id,
        record.account_id,
        hash,
        record.prefix,
        JSON.stringify(record.scopes),
        record.created_at,
        record.expires_at,
        record.allowed_origins ? JSON.stringify(record.allowed_origins) : null,
      )
      .run();
  }

  async hasHash(hash: string): Promise<boolean> {
    return (await this.db.prepare('SELECT 1 FROM api_keys WHERE key_hash = ?1').bind(hash).first()) !== null;
  }

  async get(id: string): Promise<(ApiKeyView & { key_hash: string }) | null> {
    const row = await this.db.prepare('SELECT * FROM api_keys WHERE id = ?1').bind(id).first<KeyRow>();
    return row ? { ...toView(row), key_hash: row.key_hash } : null;
  }

  async markRevoked(id: string, at: string): Promise<void> {
    await this.db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1').bind(id, at).run();
  }

  async listByAccount(accountId: string): Promise<ApiKeyView[]> {
    const { results } = await this.db.prepare('SELECT * FROM api_keys WHERE account_id = ?1 ORDER BY created_at').bind(accountId).all<KeyRow>();
    return results.map(toView);
  }
}
