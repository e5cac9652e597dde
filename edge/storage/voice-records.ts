import { LRUCache } from 'lru-cache';
import type { VoiceProfile } from '../../shared/schemas/voice-profile.ts';
import type { VoiceType } from './voice-index.ts';

/**
 * What a speech request needs of a voice, in KV under its id and version: read on every request
 * that names the voice, written when it is made and when a model first uses it. The account's
 * Durable Object says whether the voice exists and at which version; this only holds its data.
 */
export interface VoiceRecord {
  id: string;
  account_id: string;
  version: number;
  type: VoiceType;
  language: string | null;
  /** The model the voice was made with. */
  model: string;
  /** R2 key of the reference clip (mono 24 kHz WAV); any model computes its profile from it. */
  clip_key: string;
  /** The description of a designed voice, which its clones keep. */
  description: string | null;
  transcript: string | null;
  /** One profile per model id: a speaker embedding of one model does not fit another. */
  profiles: Record<string, VoiceProfile>;
}

// Per isolate: a version never changes, so an entry is stale only when a model's profile was added
// elsewhere (then this isolate computes or reads it once more). Bounded, and short-lived anyway.
const cache = new LRUCache<string, VoiceRecord>({ max: 1_000, ttl: 60_000 });
const keyOf = (id: string, version: number) => `voice:${id}@${version}`;

export class KvVoiceRecords {
  private readonly kv: KVNamespace;
  constructor(kv: KVNamespace) {
    this.kv = kv;
  }

  async get(id: string, version: number): Promise<VoiceRecord | null> {
    const key = keyOf(id, version);
    const cached = cache.get(key);
    if (cached) return cached;
    const record = await this.kv.get<VoiceRecord>(key, { type: 'json' });
    if (record) cache.set(key, record);
    return record;
  }

  async put(record: VoiceRecord): Promise<void> {
    const key = keyOf(record.id, record.version);
    cache.set(key, record);
    await this.kv.put(key, JSON.stringify(record));
  }

  async delete(id: string, version: number): Promise<void> {
    const key = keyOf(id, version);
    cache.delete(key);
    await this.kv.delete(key);
  }
}
