import { LRUCache } from 'lru-cache';
import { AUDIO_HEADERS } from '../../shared/protocol/worker-api.ts';
import type { Env } from '../env.ts';
import { D1AudioCacheIndex } from '../storage/audio-cache-index.ts';
import { type CacheEntryRef, cacheApiUrl, cacheObjectName } from './cache-status.ts';

/** A stored rendering, its body unread: the audio alone, or timed frames (audio and words: shared/protocol/timed-audio.ts). */
export interface CachedRendering {
  body: ReadableStream<Uint8Array>;
  timed: boolean;
  bytes: number;
  /** Where it was found: this isolate's memory, this location's hot copy, or the durable one. */
  from: 'memory' | 'cache-api' | 'r2';
}

/**
 * Renderings this isolate heard again, in its memory: a hit on them reads no copy at all. Only
 * small ones (a prompt, a greeting: up to MEMORY_ENTRY_BYTES), within MEMORY_BYTES all told, the
 * least recently heard dropped first. An entry is kept once it is hit (not when first stored), so
 * one-off renderings do not crowd out the phrases said again and again. Keys hold every version
 * that shaped the audio, so a kept rendering is never stale: a changed voice, dictionary or pack
 * makes another key.
 */
const MEMORY_BYTES = 16 * 1024 * 1024;
const MEMORY_ENTRY_BYTES = 1024 * 1024;
const inMemory = new LRUCache<string, { bytes: Uint8Array; timed: boolean }>({
  maxSize: MEMORY_BYTES,
  maxEntrySize: MEMORY_ENTRY_BYTES,
  sizeCalculation: ({ bytes }) => Math.max(1, bytes.byteLength),
});

/**
 * Hits this isolate has served and not yet written to the index. A phrase heard a thousand times a
 * second must not be a thousand D1 writes: an entry's hits are written with its first hit, then at
 * most once a TOUCH_INTERVAL_MS, carrying the count since. The index's `last_hit_at` (what the
 * bounds evict by, in days) is then a minute late at most; hits an isolate holds when it ends are
 * not counted (the count is a measure, not a bill: the ledger counts every hit).
 */
const TOUCH_INTERVAL_MS = 60_000;
const unwrittenHits = new LRUCache<string, { hits: number; writtenAt: number }>({ max: 10_000 });

/** How long a location keeps its hot copy; R2 keeps the entry until a purge or an eviction. */
const HOT_COPY_SECONDS = 86_400;
const TIMED_HEADER = 'x-cache-timed';

/**
 * The audio cache's copies of each rendering: R2 (AUDIO_CACHE) holds the durable one,
 * Cloudflare's Cache API a hot copy in each location that served it, and an isolate that hit a
 * small one keeps it in memory; they are read nearest first. A timed rendering (stored from a
 * request that wanted words) serves both kinds of request; a plain one, plain requests only.
 * Writes and index updates go on behind the answer (`waitUntil`).
 */
export class AudioCacheStore {
  private readonly env: Env;
  private readonly waitUntil: (promise: Promise<unknown>) => void;
  constructor(env: Env, waitUntil: (promise: Promise<unknown>) => void) {
    this.env = env;
    this.waitUntil = waitUntil;
  }

  /** The stored rendering of the entry, when there is one that serves the request (`timed`: it must hold the words). */
  async read(entry: CacheEntryRef, { timed }: { timed: boolean }): Promise<CachedRendering | null> {
    const kept = inMemory.get(cacheObjectName(entry));
    // A copy of the kept bytes: workerd may take over a buffer it is handed to send.
    if (kept && (!timed || kept.timed)) return this.served(entry, { body: new Blob([kept.bytes]).stream(), timed: kept.timed, bytes: kept.bytes.byteLength, from: 'memory' });
    const hot = await caches.default.match(cacheApiUrl(entry));
    if (hot?.body) {
      const isTimed = hot.headers.get(TIMED_HEADER) === '1';
      const bytes = Number(hot.headers.get('content-length') ?? 0);
      if (!timed || isTimed) {
        if (bytes <= MEMORY_ENTRY_BYTES) this.waitUntil(this.keep(entry, 'cache-api'));
        return this.served(entry, { body: hot.body, timed: isTimed, bytes, from: 'cache-api' });
      }
      await hot.body.cancel();
    }
    const object = await this.env.AUDIO_CACHE.get(cacheObjectName(entry));
    if (!object) return null;
    const isTimed = object.customMetadata?.timed === '1';
    if (timed && !isTimed) {
      await object.body.cancel();
      return null;
    }
    // The hot copy (and a small one's copy in memory) is made from a read of its own, so the
    // client's going away stops this one.
    this.waitUntil(object.size <= MEMORY_ENTRY_BYTES ? this.keep(entry, 'r2') : this.warm(entry));
    return this.served(entry, { body: object.body, timed: isTimed, bytes: object.size, from: 'r2' });
  }

  /** Stores a whole rendering: R2, this location's hot copy, then its index row. */
  write(entry: CacheEntryRef, bytes: Uint8Array, { timed }: { timed: boolean }): void {
    this.waitUntil(
      (async () => {
        await this.env.AUDIO_CACHE.put(cacheObjectName(entry), bytes, {
          customMetadata: { timed: timed ? '1' : '0', [AUDIO_HEADERS.modelVersion]: entry.modelVersion },
        });
        await caches.default.put(cacheApiUrl(entry), hotCopy(bytes, timed));
        await new D1AudioCacheIndex(this.env.DB).record({ ...entry, timed, bytes: bytes.byteLength });
      })().catch((error) => log(entry, 'audio cache write failed', error)),
    );
  }

  /** Counts the hit, writing it (and those since the last write) to the index at most once a TOUCH_INTERVAL_MS. */
  private served(entry: CacheEntryRef, rendering: CachedRendering): CachedRendering {
    const name = cacheObjectName(entry);
    const counted = unwrittenHits.get(name) ?? { hits: 0, writtenAt: 0 };
    counted.hits++;
    if (Date.now() - counted.writtenAt >= TOUCH_INTERVAL_MS) {
      const hits = counted.hits;
      counted.hits = 0;
      counted.writtenAt = Date.now();
      this.waitUntil(new D1AudioCacheIndex(this.env.DB).touch(entry.scope, entry.key, hits).catch((error) => log(entry, 'audio cache hits not counted', error)));
    }
    unwrittenHits.set(name, counted);
    return rendering;
  }

  /** Keeps a small rendering that was just hit in this isolate's memory, read again from where it was found (and, from R2, warms the hot copy too). */
  private async keep(entry: CacheEntryRef, from: 'cache-api' | 'r2'): Promise<void> {
    try {
      const copy = from === 'cache-api' ? await caches.default.match(cacheApiUrl(entry)) : await this.env.AUDIO_CACHE.get(cacheObjectName(entry));
      if (!copy) return;
      const timed = copy instanceof Response ? copy.headers.get(TIMED_HEADER) === '1' : copy.customMetadata?.timed === '1';
      const bytes = new Uint8Array(await copy.arrayBuffer());
      inMemory.set(cacheObjectName(entry), { bytes, timed });
      if (from === 'r2') await caches.default.put(cacheApiUrl(entry), hotCopy(bytes, timed));
    } catch (error) {
      log(entry, 'audio cache copy in memory failed', error);
    }
  }

  private async warm(entry: CacheEntryRef): Promise<void> {
    try {
      const object = await this.env.AUDIO_CACHE.get(cacheObjectName(entry));
      if (object) await caches.default.put(cacheApiUrl(entry), hotCopy(object.body, object.customMetadata?.timed === '1', object.size));
    } catch (error) {
      log(entry, 'audio cache hot copy failed', error);
    }
  }
}

function hotCopy(body: BodyInit, timed: boolean, size?: number): Response {
  return new Response(body, {
    headers: {
      'cache-control': `public, max-age=${HOT_COPY_SECONDS}`,
      [TIMED_HEADER]: timed ? '1' : '0',
      ...(size === undefined ? {} : { 'content-length': String(size) }),
    },
  });
}

const log = (entry: CacheEntryRef, message: string, error: unknown) =>
  console.warn(JSON.stringify({ level: 'warn', message, object: cacheObjectName(entry), error: String(error) }));
