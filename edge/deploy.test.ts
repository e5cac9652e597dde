import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `wrangler deploy --dry-run` for each target of wrangler.toml: it reads the config as a deploy
// would, bundles the edge and lists the bindings, all without a Cloudflare account or network.
const ROOT = new URL('../', import.meta.url).pathname;
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');

/** Workers' limit on a script's compressed size: 3 MiB on the Free plan (10 MiB on Paid). */
const FREE_PLAN_GZIP_LIMIT = 3 * 1024 * 1024;
/** `""`: the top level, named so wrangler does not warn that no environment was chosen. */
const TARGETS = ['', 'staging', 'production'] as const;
/** Storage a target must not share with another: staging never touches production's data. */
const STORAGE = ['KV Namespace', 'D1 Database', 'R2 Bucket', 'Analytics Engine Dataset'];

interface DryRun {
  output: string;
  worker: string;
  /** Binding name → [resource, type], from wrangler's table. */
  bindings: Map<string, [resource: string, type: string]>;
  raw: number;
  gzip: number;
  exports: string;
}

let outRoot: string;
const runs = new Map<string, DryRun>();

async function dryRun(target: string): Promise<DryRun> {
  const outdir = join(outRoot, target || 'top-level');
  // No account (any CLOUDFLARE_* of the caller's is dropped), no metrics, no Request.cf fetch,
  // no banner (its update check is the one other request): a dry run then touches no network.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CLOUDFLARE_')));
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir, `--env=${target}`], {
    cwd: ROOT,
    env: {
      ...env,
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      WRANGLER_LOG_PATH: join(outRoot, 'logs'),
    },
  });
  const output = stripVTControlCharacters(stdout + stderr); // wrangler colours its warnings regardless
  const bindings = new Map<string, [string, string]>(
    [...output.matchAll(/^env\.(\w+) \((.*?)\)\s{2,}(\S.*?)\s*$/gm)].map(([, name, resource, type]) => [name!, [resource!, type!]]),
  );
  // What wrangler uploads: every module it wrote, not the source maps or its README.
  const files = (await readdir(outdir)).filter((name) => !name.endsWith('.map') && name !== 'README.md');
  const contents = await Promise.all(files.map((name) => readFile(join(outdir, name))));
  const script = Buffer.concat(contents);
  return {
    output,
    worker: (await readFile(join(outdir, 'README.md'), 'utf8')).match(/for the worker "(.+?)"/)?.[1] ?? '',
    bindings,
    raw: script.byteLength,
    gzip: gzipSync(script).byteLength, // as wrangler measures it
    exports: (await readFile(join(outdir, 'index.js'), 'utf8')).match(/^export \{([^}]*)\}/m)?.[1] ?? '',
  };
}

beforeAll(async () => {
  outRoot = await mkdtemp(join(tmpdir(), 'edge-deploy-'));
  const results = await Promise.all(TARGETS.map(dryRun));
  TARGETS.forEach((target, i) => runs.set(target, results[i]!));
});
afterAll(() => rm(outRoot, { recursive: true, force: true }));

describe.each(TARGETS)('wrangler deploy --dry-run --env=%j', (target) => {
  it('bundles the edge with its Durable Object classes, without a warning', () => {
    const run = runs.get(target)!;
    expect(run.output).toContain('--dry-run: exiting now.');
    expect(run.output).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(run.exports.split(',').map((name) => name.trim())).toEqual(expect.arrayContaining(['AccountDO', 'PoolDO', 'index_default as default']));
  });

  it('builds the playground and serves it as static assets (environments inherit [build] and [assets])', () => {
    const run = runs.get(target)!;
    expect(run.output).toContain('[custom build] Running: node playground/build.ts');
    expect(run.output).toMatch(/Read \d+ files from the assets directory .*playground\/dist/);
  });

  it('declares every binding the top level does, and no secret', () => {
    const run = runs.get(target)!;
    expect([...run.bindings.keys()].sort()).toEqual([...runs.get('')!.bindings.keys()].sort());
    for (const name of ['ACCOUNTS', 'POOL', 'API_KEYS', 'VOICES', 'DB', 'VOICE_CLIPS', 'SPEECH_EVENTS', 'WORKER_URLS']) expect(run.bindings.has(name)).toBe(true);
    // Secrets are set with `wrangler secret put`, never in wrangler.toml.
    for (const name of ['WORKER_SECRET', 'ADMIN_TOKEN']) expect(run.bindings.has(name)).toBe(false);
  });

  it(`stays under the Free plan's ${FREE_PLAN_GZIP_LIMIT / 1024 / 1024} MiB compressed`, () => {
    const { raw, gzip } = runs.get(target)!;
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log(`edge bundle (${target || 'top level'}): ${kib(raw)} raw, ${kib(gzip)} gzip, ${((gzip / FREE_PLAN_GZIP_LIMIT) * 100).toFixed(1)}% of 3 MiB`);
    expect(gzip).toBeLessThan(FREE_PLAN_GZIP_LIMIT);
  });
});

it('each target is its own worker with its own storage', () => {
  const all = [...runs.values()];
  expect(new Set(all.map((run) => run.worker)).size).toBe(TARGETS.length);
  const storage = all.flatMap((run) => [...run.bindings].filter(([, [, type]]) => STORAGE.includes(type)).map(([name, [resource]]) => `${name} ${resource}`));
  expect(new Set(storage).size).toBe(storage.length);
});
