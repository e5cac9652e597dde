import type { Env } from '../env.ts';
import { D1AudioCacheIndex } from '../storage/audio-cache-index.ts';
import { cacheApiUrl, cacheObjectName } from './cache-status.ts';

/** The most keys one R2 `delete([...])` takes. */
export const PURGE_BATCH = 1000;

/**
 * Deletes up to `limit` doomed entries: their R2 objects, this location's Cache API copies, then
 * their rows. Idempotent: deleting what is already gone is no error, and a row goes only once its
 * audio has, so a purge cut short is finished by the next. The Cache API has no global delete:
 * other locations' hot copies expire on their own. Returns how many entries it purged.
 */
export async function purgeDoomed(env: Env, limit = PURGE_BATCH): Promise<number> {
  const index = new D1AudioCacheIndex(env.DB);
  const doomed = await index.doomed(Math.min(limit, PURGE_BATCH));
  if (doomed.length === 0) return 0;
  await env.AUDIO_CACHE.delete(doomed.map(cacheObjectName));
  await Promise.all(doomed.map((entry) => caches.default.delete(cacheApiUrl(entry))));
  await index.forget(doomed);
  return doomed.length;
}

/**
 * After a change doomed entries (durably, before its answer): purges them behind the answer.
 * A failure is logged and left to the minute's sweep (scheduled-sweep.ts), which purges the rest.
 */
export function purgeBehind(env: Env, executionCtx: Pick<ExecutionContext, 'waitUntil'>): void {
  executionCtx.waitUntil(
    purgeDoomed(env).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'error', message: 'audio cache purge failed; the sweep retries', error: String(error) }));
    }),
  );
}
