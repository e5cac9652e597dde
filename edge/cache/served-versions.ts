import type { PoolModel } from '../pool/worker-pool.ts';

/**
 * The pack version each model is served at now, by model id: what the sweep keeps the model's
 * entries of. A model its workers serve at different versions (a rollout under way) is left out,
 * so neither version's entries are doomed until the pool agrees.
 */
export function servedVersions(models: ReadonlyMap<string, PoolModel>): Map<string, string> {
  const served = new Map<string, string>();
  for (const [id, { workers }] of models) {
    const versions = new Set<string>();
    for (const worker of workers) {
      const info = worker.models.find((model) => model.id === id);
      if (info) versions.add(info.version);
    }
    if (versions.size === 1) served.set(id, [...versions][0]!);
  }
  return served;
}
