/**
 * Builds the web playground into playground/dist/, which the edge serves as static assets
 * (wrangler.toml `[assets]`): src/ bundled by esbuild into app.js, public/ as written, and
 * for the /docs page Scalar's API reference renderer under vendor/ and openapi.json, the edge's
 * OpenAPI document (generated here from its routes, so that no edge isolate spends CPU on it).
 *
 * Idempotent and safe while the folder is served (wrangler dev, a test's workerd, another build):
 * a file is written only when its content changed, and then whole, by a rename; files no source
 * makes any more are removed.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const PLAYGROUND = import.meta.dirname;
const ROOT = join(PLAYGROUND, '..');
export const PLAYGROUND_DIST = join(PLAYGROUND, 'dist');
const PUBLIC = join(PLAYGROUND, 'public');
/** Temporary files stay out of the served folder, on the same file system so that rename works. */
const SCRATCH = join(ROOT, 'node_modules/.cache/playground-build');
const VENDOR: Record<string, string> = {
  'vendor/scalar-api-reference.js': join(ROOT, 'node_modules/@scalar/api-reference/dist/browser/standalone.js'),
};

/** Served at /openapi.json. */
const OPENAPI_DOCUMENT = 'openapi.json';

/**
 * The edge's OpenAPI document, from edge/openapi/document.ts. Imported by a path in a variable,
 * which the type checker does not follow: this file is checked against Node's types, the edge's
 * modules need the Workers'.
 */
async function openApiDocument(): Promise<object> {
  const documentModule = '../edge/openapi/document.ts';
  const { generateOpenApiDocument } = (await import(/* @vite-ignore */ documentModule)) as { generateOpenApiDocument: () => Promise<object> };
  return generateOpenApiDocument();
}

/** Builds the playground; answers the files (relative to dist/) it had to write. */
export async function buildPlayground(): Promise<string[]> {
  const files = new Map<string, Uint8Array>();
  const bundle = await build({
    entryPoints: { app: join(PLAYGROUND, 'src/main.ts') },
    outdir: PLAYGROUND_DIST,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  for (const file of bundle.outputFiles) files.set(relative(PLAYGROUND_DIST, file.path), file.contents);
  for (const entry of await readdir(PUBLIC, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(relative(PUBLIC, join(entry.parentPath, entry.name)), await readFile(join(entry.parentPath, entry.name)));
  }
  for (const [name, source] of Object.entries(VENDOR)) files.set(name, await readFile(source));
  files.set(OPENAPI_DOCUMENT, Buffer.from(JSON.stringify(await openApiDocument())));

  const written: string[] = [];
  for (const [name, contents] of files) if (await writeIfChanged(join(PLAYGROUND_DIST, name), contents)) written.push(name);
  // What an earlier build wrote from a source that is gone would still be served: remove it.
  for (const entry of await readdir(PLAYGROUND_DIST, { recursive: true, withFileTypes: true })) {
    const name = relative(PLAYGROUND_DIST, join(entry.parentPath, entry.name));
    if (entry.isFile() && !files.has(name)) await rm(join(PLAYGROUND_DIST, name), { force: true });
  }
  return written;
}

async function writeIfChanged(path: string, contents: Uint8Array): Promise<boolean> {
  const current = await readFile(path).catch(() => undefined);
  if (current?.equals(contents)) return false;
  await Promise.all([mkdir(dirname(path), { recursive: true }), mkdir(SCRATCH, { recursive: true })]);
  const scratch = join(SCRATCH, randomUUID());
  await writeFile(scratch, contents);
  await rename(scratch, path);
  return true;
}

if (import.meta.filename === process.argv[1]) {
  const written = await buildPlayground();
  console.log(written.length ? `playground: wrote ${written.join(', ')}` : 'playground: up to date');
}
