/**
 * `models pull <name>`: downloads a model pack listed in a registry, file by file, resuming
 * partial files with HTTP Range requests and verifying every sha256 against the pack's manifest.
 * The manifest is written last, so a directory holds a loadable pack only once all of it is there.
 *
 * Registry (a local file or a URL):
 *   { "packs": { "<name>": { "urls": ["https://mirror-a/packs/<name>/", "https://mirror-b/..."] } } }
 * Each URL is a base where `manifest.json` and every file the manifest lists can be fetched;
 * mirrors are tried in order.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { MANIFEST_FILE, ManifestSchema, sha256File, type Manifest } from '../engines/qwen3/pack.ts';
import type { PullProgress } from './progress.ts';

export const RegistrySchema = z.object({
  packs: z.record(z.string(), z.object({ urls: z.array(z.string().url()).min(1), description: z.string().optional() })),
});
export type Registry = z.infer<typeof RegistrySchema>;

export class PullError extends Error {
  /** Whether another attempt (resuming, or on the next mirror) may succeed. */
  readonly retry: boolean;
  constructor(message: string, retry = false) {
    super(`models pull: ${message}`);
    this.name = 'PullError';
    this.retry = retry;
  }
}

export interface PullOptions {
  /** Registry file path or http(s) URL. */
  registry: string;
  /** Where packs go: the pack lands in `<dir>/<name>`. */
  dir: string;
  log?: (msg: string) => void;
  /** Called as each file's bytes arrive (often: throttle what you show). */
  progress?: (progress: PullProgress) => void;
  /** Attempts per file (a cut connection resumes where it stopped). */
  attempts?: number;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Turns fetch's opaque "fetch failed" into the reason (refused, unknown host, timeout...). */
function networkProblem(url: string, error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return `cannot reach ${new URL(url).host} (${reason}) for ${url}: check the network connection and the registry URL`;
}

async function fetchOk(url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new PullError(networkProblem(url, error), true);
  }
  return response;
}

export async function readRegistry(source: string): Promise<Registry> {
  let text: string;
  if (isUrl(source)) {
    const response = await fetchOk(source);
    if (!response.ok) throw new PullError(`registry ${source} answered HTTP ${response.status}`);
    text = await response.text();
  } else {
    try {
      text = await readFile(source, 'utf8');
    } catch {
      throw new PullError(`registry file ${source} not found (pass --registry <file or URL>)`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PullError(`registry ${source} is not JSON (${(error as Error).message})`);
  }
  const parsed = RegistrySchema.safeParse(json);
  if (!parsed.success) throw new PullError(`registry ${source} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function fetchManifest(base: string): Promise<Manifest> {
  const url = new URL(MANIFEST_FILE, base).href;
  const response = await fetchOk(url);
  if (!response.ok) throw new PullError(`${url} answered HTTP ${response.status}`);
  const parsed = ManifestSchema.safeParse(await response.json());
  if (!parsed.success) throw new PullError(`${url} is not a valid pack manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const sizeOf = (path: string) => stat(path).then((s) => s.size, () => -1);

/**
 * One attempt at getting `url` into `part`, continuing from the bytes already there. Returns
 * normally when the server sent the rest; throws on a cut (the caller retries and resumes).
 */
async function downloadOnce(url: string, part: string, expected: number, report: (done: number) => void): Promise<void> {
  const have = Math.max(0, await sizeOf(part));
  if (have === expected) return report(have);
  if (have > expected) await rm(part);
  const from = have > expected ? 0 : have;
  report(from);
  const response = await fetchOk(url, from > 0 ? { headers: { Range: `bytes=${from}-` } } : {});
  if (response.status === 416) {
    await rm(part, { force: true }); // our partial file does not fit the server's: start over
    throw new PullError(`${url}: the server refused the resume range; restarting`, true);
  }
  if (!response.ok || !response.body) throw new PullError(`${url} answered HTTP ${response.status}`, response.status >= 500);
  // 206 continues the part file; 200 means the server ignored Range and sends everything.
  const append = response.status === 206 && from > 0;
  // Chunk by chunk rather than through a pipeline: on a cut, a pipeline destroys the file stream
  // with writes still pending, and the bytes that did arrive would be lost for the resume.
  const out = await open(part, append ? 'a' : 'w');
  let done = append ? from : 0;
  try {
    for await (const chunk of response.body) {
      await out.write(chunk);
      report((done += chunk.byteLength));
    }
  } finally {
    await out.close();
  }
}

async function downloadFile(urls: string[], file: string, entry: { sha256: string; bytes: number }, target: string, o: PullOptions): Promise<void> {
  const log = o.log ?? (() => {});
  const final = join(target, file);
  if ((await sizeOf(final)) === entry.bytes && (await sha256File(final)) === entry.sha256) {
    log(`${file}: already present`);
    return;
  }
  const part = `${final}.part`;
  await mkdir(dirname(final), { recursive: true });
  const attempts = o.attempts ?? 5;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const base = urls[attempt % urls.length] as string;
    const url = new URL(file, base).href;
    try {
      const before = Math.max(0, await sizeOf(part));
      if (before > 0) log(`${file}: resuming at ${before} of ${entry.bytes} bytes`);
      await downloadOnce(url, part, entry.bytes, (done) => o.progress?.({ file, done, total: entry.bytes }));
      const size = await sizeOf(part);
      if (size !== entry.bytes) throw new PullError(`${file}: got ${size} of ${entry.bytes} bytes`, true);
      const actual = await sha256File(part);
      if (actual !== entry.sha256) {
        await rm(part, { force: true });
        throw new PullError(`${file}: sha256 ${actual} does not match the manifest (${entry.sha256}); the partial download was removed`);
      }
      await rename(part, final);
      log(`${file}: ${entry.bytes} bytes, sha256 ok`);
      return;
    } catch (error) {
      lastError = error;
      // A cut connection is not a PullError and is retried from where it stopped. A wrong checksum
      // or a 404 will not fix itself; an unreachable host only with another mirror to try.
      if (error instanceof PullError && !error.retry) throw error;
      if (error instanceof PullError && /cannot reach/.test(error.message) && urls.length === 1) throw error;
    }
  }
  throw lastError instanceof PullError ? lastError : new PullError(`${file}: ${(lastError as Error).message}`);
}

/** Downloads pack `name` into `<dir>/<name>`; returns the pack directory. */
export async function pullPack(name: string, o: PullOptions): Promise<string> {
  const log = o.log ?? (() => {});
  const registry = await readRegistry(o.registry);
  const entry = registry.packs[name];
  if (!entry) {
    throw new PullError(`no pack "${name}" in ${o.registry}; it lists: ${Object.keys(registry.packs).join(', ') || '(nothing)'}`);
  }
  let manifest: Manifest | undefined;
  let problem: unknown;
  for (const base of entry.urls) {
    try {
      manifest = await fetchManifest(base);
      break;
    } catch (error) {
      problem = error;
    }
  }
  if (!manifest) throw problem;
  if (manifest.id !== name) log(`note: registry name "${name}" serves model id "${manifest.id}"`);
  const target = resolve(o.dir, name);
  await mkdir(target, { recursive: true });
  // An old manifest would make a half-updated directory look complete: remove it first.
  await rm(join(target, MANIFEST_FILE), { force: true });
  for (const [file, fileEntry] of Object.entries(manifest.files)) {
    if (file.includes('..') || file.startsWith('/')) throw new PullError(`manifest lists an unsafe path "${file}"`);
    await downloadFile(entry.urls, file, fileEntry, target, o);
  }
  await writeFile(join(target, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`${name}: pack complete in ${target}`);
  return target;
}
