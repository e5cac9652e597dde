/**
 * API key lookups by hash. KV holds them because every request reads one and keys are written
 * rarely; the secret is never stored, only its SHA-256.
 */
export type KeyScope = 'speech' | 'voices' | 'usage';
export const KEY_SCOPES: readonly KeyScope[] = ['speech', 'voices', 'usage'];

export interface ApiKeyRecord {
  id: string;
  account_id: string;
  /** The first characters of the secret, for people to recognise the key. */
  prefix: string;
  scopes: KeyScope[];
  created_at: string;
  expires_at: string | null;
}

export interface ApiKeyStore {
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  put(hash: string, record: ApiKeyRecord): Promise<void>;
}

export class KvApiKeyStore implements ApiKeyStore {
  private readonly kv: KVNamespace;
  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  findByHash(hash: string): Promise<ApiKeyRecord | null> {
    // A short edge cache: keys are read on every request and change rarely.
    return this.kv.get<ApiKeyRecord>(`key:${hash}`, { type: 'json', cacheTtl: 60 });
  }

  async put(hash: string, record: ApiKeyRecord): Promise<void> {
    await this.kv.put(`key:${hash}`, JSON.stringify(record));
  }
}
