import type { WorkerSynthesisRequest } from '../../shared/protocol/worker-api.ts';
import type { ModelInfo } from '../../shared/schemas/catalog.ts';
import type { CacheMode } from '../../shared/schemas/speech.ts';
import { isCustomVoiceId } from '../../shared/schemas/voice-profile.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { AudioCacheStore, type CachedRendering } from './audio-cache-store.ts';
import { renderingKey } from './cache-key.ts';
import type { CacheEntryRef, CacheStatus } from './cache-status.ts';
import type { RenderingKind } from './rendering-kinds.ts';

/** What the cache needs of a speech request once it is resolved. */
export interface CacheableSpeech {
  accountId: string;
  /** The request's `cache` field (absent: auto). */
  mode: CacheMode | undefined;
  model: ModelInfo;
  workerRequest: WorkerSynthesisRequest;
  /** The dictionaries that made its text, `id@version`. */
  dictionaries: readonly string[];
}

/** An answer and where it came from; for a hit, how long finding it took and which copy it was. */
export interface Found<T> {
  answer: T;
  cache: CacheStatus;
  hit?: { lookupMs: number; from: CachedRendering['from'] };
}

/**
 * The audio cache as one speech request meets it (docs/cache.md). `find` looks the rendering up,
 * or renders it on a miss, beside the request's admission; `settle`, once admitted, applies the
 * account's setting and sets a miss to be stored behind the stream. A request the cache stays out
 * of (off by the request, the operator or the account, or a model that is not deterministic) is
 * rendered as ever.
 */
export class SpeechCache {
  private readonly store: AudioCacheStore;
  private readonly entry: Promise<CacheEntryRef> | null;

  constructor(env: Env, waitUntil: (promise: Promise<unknown>) => void, speech: CacheableSpeech) {
    this.store = new AudioCacheStore(env, waitUntil);
    this.entry = mayUseCache(env, speech.mode, speech.model) ? entryOf(env, speech) : null;
  }

  async find<T>(kind: RenderingKind<T>, render: () => Promise<T>): Promise<Found<T>> {
    if (!this.entry) return { answer: await render(), cache: 'off' };
    const started = performance.now();
    const stored = await this.store.read(await this.entry, { timed: kind.timed }).catch((error) => {
      console.warn(JSON.stringify({ level: 'warn', message: 'audio cache lookup failed: rendering instead', error: String(error) }));
      return null;
    });
    if (stored) return { answer: kind.fromCache(stored), cache: 'hit', hit: { lookupMs: performance.now() - started, from: stored.from } };
    return { answer: await render(), cache: 'miss' };
  }

  /**
   * Once the request is admitted: an account that turned the cache off gets a rendering (a hit is
   * dropped unread) and stores nothing; a miss whose worker made audio of the key's model version
   * is recorded behind the client and stored once whole.
   */
  async settle<T>(kind: RenderingKind<T>, found: Found<T>, accountAllows: boolean, render: () => Promise<T>): Promise<Found<T>> {
    if (found.cache === 'off') return found;
    if (!accountAllows) {
      if (found.cache === 'hit') {
        await kind.discard(found.answer);
        return { answer: await render(), cache: 'off' };
      }
      return { ...found, cache: 'off' };
    }
    if (found.cache === 'hit') return found;
    const entry = await this.entry!;
    if (!kind.isAudio(found.answer, entry.modelVersion)) return found;
    return { ...found, answer: kind.record(found.answer, (bytes) => this.store.write(entry, bytes, { timed: kind.timed })) };
  }
}

/** Whether the cache may serve (and store) a request: not turned off by it or the operator, and a model that renders deterministically. The account's setting is known at admission. */
export function mayUseCache(env: Env, mode: CacheMode | undefined, model: ModelInfo): boolean {
  return mode !== 'off' && edgeConfig(env).audioCache.enabled && model.capabilities.deterministic;
}

/**
 * The entry a request's rendering is kept under. Per account, so one account's audio is never
 * served to another; a preset voice saying one of the operator's shared phrases, with no
 * dictionary, is kept once for all (AUDIO_CACHE_SHARED_PHRASES).
 */
async function entryOf(env: Env, { accountId, model, workerRequest, dictionaries }: CacheableSpeech): Promise<CacheEntryRef> {
  const modelVersion = model.version;
  const voiceId = workerRequest.voice;
  const preset = !isCustomVoiceId(voiceId);
  const shared = preset && dictionaries.length === 0 && edgeConfig(env).audioCache.sharedPhrases.has(workerRequest.input);
  return {
    scope: shared ? 'shared' : accountId,
    key: await renderingKey(workerRequest, { modelVersion, dictionaries }),
    accountId,
    model: model.id,
    modelVersion,
    voiceId,
    voiceVersion: workerRequest.voice_profile?.version ?? null,
    dictionaries: [...dictionaries],
  };
}
