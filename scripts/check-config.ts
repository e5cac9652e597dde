/**
 * Checks the edge's variables in wrangler.toml against the edge's schema (edge/config/schema.ts)
 * before a deploy, so that a bad value is refused here rather than answered 500
 * `server_misconfigured` by every request once deployed. `npm run deploy` runs it first.
 *
 *   node scripts/check-config.ts [--env staging|production] [--config wrangler.toml]
 *
 * Without --env it checks the top level's [vars] (the local configuration). The secrets
 * (WORKER_SECRET, ADMIN_TOKEN) live in Cloudflare, set with `wrangler secret put`: they cannot be
 * read from here, so only the edge checks them, when it starts serving. Exits 1 naming each
 * variable at fault and what it allows.
 */
import { parseArgs } from 'node:util';
import { checkEdgeVariables, EDGE_SECRET_NAMES } from '../edge/config/schema.ts';
import { WRANGLER_TOML, wranglerVars } from './edge-variables.ts';

const { values } = parseArgs({ options: { env: { type: 'string' }, config: { type: 'string', default: WRANGLER_TOML } }, strict: true });
const table = values.env === undefined ? '[vars]' : `[env.${values.env}.vars]`;

let problems: string[];
try {
  problems = checkEdgeVariables(wranglerVars(values.env, values.config));
} catch (error) {
  process.stderr.write(`check-config: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
if (problems.length > 0) {
  process.stderr.write(`check-config: ${values.config} ${table} is invalid:\n${problems.map((line) => `  ${line}\n`).join('')}`);
  process.exit(1);
}
const secretCommand = `wrangler secret put NAME${values.env === undefined ? '' : ` --env ${values.env}`}`;
process.stdout.write(
  `check-config: ${table} is valid. The secrets (${EDGE_SECRET_NAMES.join(', ')}) cannot be read from here: ` +
    `set them with \`${secretCommand}\`; WORKER_SECRET is required.\n`,
);
