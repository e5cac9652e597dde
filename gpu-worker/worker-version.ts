import { readFileSync } from 'node:fs';

/** The worker's release (the repository's package.json): sent in heartbeats, and part of every model's version. */
export const WORKER_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * A model's version as the worker reports it: what the engine's audio comes from (`model`), plus
 * the worker's release, since the worker's resampler and encoders shape the bytes too.
 */
export function modelVersion(model: string): string {
  return `${model}+worker@${WORKER_VERSION}`;
}
