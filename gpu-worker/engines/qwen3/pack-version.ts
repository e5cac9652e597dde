import { createHash } from 'node:crypto';
import type { Manifest } from './pack.ts';

/**
 * The pack's version, `pack:<12 hex>`: a digest of the manifest as the engine reads it. The
 * manifest lists every file's sha256, so a new export, tokenizer or voice file changes it, and so
 * does any change of dimensions, tokens or sampling settings; whitespace and keys the engine
 * ignores do not. The audio cache keys renderings by it (with the worker's release: worker-version.ts).
 */
export function packVersion(manifest: Manifest): string {
  return `pack:${createHash('sha256').update(JSON.stringify(manifest)).digest('hex').slice(0, 12)}`;
}
