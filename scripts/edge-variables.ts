/**
 * The edge's variables as Node sees them before anything starts: wrangler.toml's `[vars]` (read
 * by wrangler itself, as `wrangler dev` and `wrangler deploy` read them), the ones set in a
 * process's environment, and the env file that hands them to wrangler. Used by scripts/start.ts
 * and scripts/check-config.ts with the edge's own schema (edge/config/schema.ts).
 */
import { join } from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { EDGE_VARIABLE_NAMES } from '../edge/config/schema.ts';

export const WRANGLER_TOML = join(new URL('..', import.meta.url).pathname, 'wrangler.toml');

/** A target's `[vars]`: the top level's when `target` is undefined, else `[env.<target>.vars]`. Throws for an unknown target. */
export function wranglerVars(target?: string, configPath = WRANGLER_TOML): Record<string, unknown> {
  return { ...unstable_readConfig({ config: configPath, ...(target === undefined ? {} : { env: target }) }, { hideWarnings: true }).vars };
}

/** The edge's variables that are set in `environment`, blank ones included (blank means unset to the edge). */
export function edgeVariablesIn(environment: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(EDGE_VARIABLE_NAMES.flatMap((name) => (environment[name] === undefined ? [] : [[name, environment[name]]])));
}

/**
 * A dotenv line that wrangler reads back as exactly `value`. Wrangler parses env files with
 * dotenv, then expands `$NAME` with dotenv-expand: single quotes keep quotes, `#` and newlines
 * literal, and `\$` keeps a dollar sign from being expanded. Backquotes take a value with a
 * single quote in it; one with both cannot be written.
 */
export function envFileLine(name: string, value: string): string {
  const escaped = value.replaceAll('$', '\\$');
  for (const quote of ["'", '`']) if (!escaped.includes(quote)) return `${name}=${quote}${escaped}${quote}`;
  throw new Error(`${name}: a value with both ' and \` cannot be passed to wrangler through an env file`);
}

export const envFileText = (values: Readonly<Record<string, string>>): string =>
  Object.entries(values)
    .map(([name, value]) => `${envFileLine(name, value)}\n`)
    .join('');
