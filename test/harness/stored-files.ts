import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under a directory (an edge's persisted KV, D1 and Durable Objects), to search for what must not be stored. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
