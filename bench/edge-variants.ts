/**
 * The edge bundled as wrangler bundles it, optionally with a module swapped for a bench stub
 * (bench/stubs/): to measure what a piece of the edge costs, in time or memory, by running the
 * same edge without it.
 */
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = new URL('../', import.meta.url).pathname;

export async function bundle(entry: string, plugins: Plugin[] = []): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*'],
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return result.outputFiles[0]!.text;
}

const LIMITS_OFF = join(ROOT, 'bench/stubs/limits-off.ts');

/**
 * Replaces edge/middleware/limits.ts with the pass-through stub: no admission, progress, settlement
 * or ledger row. The stub's own import of the module (for what makes no call) resolves to the real one.
 */
export const limitsOff: Plugin = {
  name: 'limits-off',
  setup(b) {
    b.onResolve({ filter: /\/middleware\/limits\.ts$/ }, (args) => (args.importer === LIMITS_OFF ? undefined : { path: LIMITS_OFF }));
  },
};

const LOGGING_OFF = join(ROOT, 'bench/stubs/logging-off.ts');

/** Replaces edge/middleware/request-summary.ts with a stub that reports nothing: no request log line, no analytics point. */
export const loggingOff: Plugin = {
  name: 'logging-off',
  setup(b) {
    b.onResolve({ filter: /\/middleware\/request-summary\.ts$/ }, (args) => (args.importer === LOGGING_OFF ? undefined : { path: LOGGING_OFF }));
  },
};

/** The variants a bench can run the edge as, by name (bisection over the edge's middleware). */
export const EDGE_VARIANTS: Record<string, Plugin[]> = { 'limits-off': [limitsOff], 'logging-off': [loggingOff] };
