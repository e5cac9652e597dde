/**
 * The edge as `npm start` runs it: wrangler.toml's worker in workerd through wrangler's
 * `unstable_startWorker`, with the inspector off. Everything else is what `wrangler dev` does
 * (it is the same dev environment underneath): wrangler.toml's [build] first builds the
 * playground, and builds it again (and bundles and reloads the edge) when the playground's sources
 * change; local KV, D1, R2 and Durable Objects persist to `--persist-to`; secrets come from
 * `--env-file`. As under `wrangler dev` with a [build] command, a change to the edge's own sources
 * takes a restart.
 *
 * Why not the `wrangler dev` CLI: its inspector proxy keeps every message the runtime sends it
 * (a console line, and the Network events of each subrequest, body included) until a DevTools
 * client connects, which in a plain session never happens: about 400 KB more memory per speech
 * request, for as long as it runs (bench/repro/wrangler-dev-inspector/README.md). The CLI's only
 * inspector setting is its port; the API can turn it off. `npm start -- --inspect` runs the CLI.
 *
 *   node scripts/edge-dev.ts --port 8787 --persist-to DIR --env-file FILE [--ip 127.0.0.1] [--log-level warn]
 *
 * Runs until SIGTERM or SIGINT, then stops workerd and exits. Set CLOUDFLARE_CF_FETCH_ENABLED=false
 * offline (scripts/start.ts does): wrangler otherwise fetches the `Request.cf` object.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { unstable_startWorker } from 'wrangler';

const ROOT = new URL('..', import.meta.url).pathname;
const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'log', 'debug'] as const;

const { values } = parseArgs({
  options: {
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8787' },
    'persist-to': { type: 'string' },
    'env-file': { type: 'string', multiple: true },
    'log-level': { type: 'string', default: 'warn' },
  },
  strict: true,
});
const logLevel = values['log-level'] as (typeof LOG_LEVELS)[number];
if (!LOG_LEVELS.includes(logLevel)) throw new Error(`--log-level: one of ${LOG_LEVELS.join(', ')}`);
// `dev.logLevel` covers the dev session; what wrangler logs outside it (a reload of the assets) reads this.
process.env.WRANGLER_LOG = logLevel;

const worker = await unstable_startWorker({
  config: join(ROOT, 'wrangler.toml'),
  envFiles: values['env-file'],
  sendMetrics: false,
  dev: {
    inspector: false,
    remote: false,
    server: { hostname: values.ip, port: Number(values.port) },
    persist: values['persist-to'], // by default .wrangler/state, as for wrangler dev
    logLevel,
  },
});
await worker.ready;

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await worker.dispose();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
