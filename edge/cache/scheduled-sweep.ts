import { edgeConfig } from '../config/edge-config.ts';
import type { Env } from '../env.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { D1AudioCacheIndex } from '../storage/audio-cache-index.ts';
import { PURGE_BATCH, purgeDoomed } from './purge.ts';
import { servedVersions } from './served-versions.ts';

/** Batches one sweep purges at most; what is left waits for the next minute's. */
const MAX_PURGE_BATCHES = 10;

/** What one sweep did, logged as one JSON line. */
export interface SweepCounts {
  /** Entries of a model pack version no longer served. */
  stale_model: number;
  /** Entries stored after their voice was deleted or their dictionary changed (a miss still rendering then). */
  orphaned: number;
  /** Entries not heard for AUDIO_CACHE_MAX_AGE_DAYS. */
  aged: number;
  /** Entries beyond an account's AUDIO_CACHE_MAX_BYTES_PER_ACCOUNT, the least recently heard. */
  over_size: number;
  /** Entries whose audio and row were deleted (doomed by this sweep or before it). */
  purged: number;
  /** Why stale model versions were not looked for this time (no worker answered), if they were not. */
  models_skipped?: string;
}

/**
 * The minute's cron (wrangler.toml `[triggers]`): dooms the entries of model versions no longer
 * served, those stored after their voice or dictionary changed, and those beyond the bounds, then purges everything doomed, whatever doomed it (a purge
 * behind a change's answer that failed or fell short included).
 */
export async function sweepAudioCache(env: Env, now = new Date()): Promise<SweepCounts> {
  const index = new D1AudioCacheIndex(env.DB);
  const counts: SweepCounts = { stale_model: 0, orphaned: 0, aged: 0, over_size: 0, purged: 0 };
  try {
    counts.stale_model = await index.doomStaleModels(servedVersions(await new WorkerPool(env).models()), now);
  } catch (error) {
    // No worker serves anything now: no model is known stale, and the rest of the sweep goes on.
    counts.models_skipped = error instanceof Error ? error.message : String(error);
  }
  counts.orphaned = await index.doomOrphans(now);
  const { maxBytesPerAccount, maxAgeMs } = edgeConfig(env).audioCache;
  const evicted = await index.doomBeyondBounds({ maxBytesPerAccount, maxAgeMs }, now);
  counts.aged = evicted.aged;
  counts.over_size = evicted.overSize;
  for (let batch = 0; batch < MAX_PURGE_BATCHES; batch++) {
    const purged = await purgeDoomed(env, PURGE_BATCH);
    counts.purged += purged;
    if (purged < PURGE_BATCH) break;
  }
  console.log(JSON.stringify({ level: 'info', message: 'audio cache sweep', ...counts }));
  return counts;
}
