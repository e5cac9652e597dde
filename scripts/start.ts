/**
 * `npm start`: the whole stack on this machine. gpu-workers (`--workers N`, default 1; espeak,
 * plus any `--pack DIR`) that join the edge's pool by heartbeat and are restarted (with backoff)
 * when they die, the edge in workerd, a demo account and key made through the admin API, and a
 * first sentence spoken into hello.wav. Ctrl-C or SIGTERM stops every process it started. The
 * edge also serves the web playground at /: wrangler.toml's [build] builds it first, and again
 * when its sources change.
 *
 * The edge runs through wrangler's API with the inspector off (scripts/edge-dev.ts): the
 * `wrangler dev` CLI's inspector proxy holds on to every message while no DevTools is attached,
 * and grows by about 400 KB a speech request (bench/repro/wrangler-dev-inspector/README.md).
 * `--inspect` runs the edge through `wrangler dev` as before, for DevTools (chrome://inspect,
 * port 9229); its memory then grows with use.
 *
 * Variables: EDGE_PORT (8787), WORKER_PORT (9100: the first worker's; the next ones count up),
 * DEMO_API_KEY, ADMIN_TOKEN, WORKER_SECRET, and any of the edge's (edge/config/schema.ts:
 * DEFAULT_RESPONSE_FORMAT, OPENAI_ALIASES, ELEVENLABS_MODELS, ...), which go over wrangler.toml's [vars]; WORKER_URLS
 * adds seeds to the workers started here. The edge's configuration is checked before anything
 * starts: a bad value stops it with a message naming the variable and what it allows.
 * Local state (KV, D1, Durable Objects) lives in a temporary directory and goes with the stack.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseEdgeConfig } from '../edge/config/schema.ts';
import { edgeVariablesIn, envFileText, wranglerVars } from './edge-variables.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');

const { values } = parseArgs({
  options: { pack: { type: 'string', multiple: true }, workers: { type: 'string', default: '1' }, inspect: { type: 'boolean', default: false } },
  strict: true,
});
const workerCount = Number(values.workers);
if (!Number.isInteger(workerCount) || workerCount < 1 || workerCount > 16) throw new Error('--workers takes a number from 1 to 16');
const edgePort = Number(process.env.EDGE_PORT ?? 8787);
const workerPort = Number(process.env.WORKER_PORT ?? 9100);
const adminToken = process.env.ADMIN_TOKEN ?? `admin_${randomBytes(18).toString('base64url')}`;
const workerSecret = process.env.WORKER_SECRET ?? randomBytes(32).toString('base64url');
const demoKey = process.env.DEMO_API_KEY;
const edgeUrl = `http://127.0.0.1:${edgePort}`;
const workerPorts = Array.from({ length: workerCount }, (_, i) => workerPort + i);
const workerUrls = workerPorts.map((port) => `http://127.0.0.1:${port}`).join(',');

// The edge's variables, checked with the edge's own schema before anything starts: a bad one
// would otherwise only show as 500 server_misconfigured on every request.
const edgeVariables = edgeVariablesIn(process.env);
edgeVariables.WORKER_URLS = [workerUrls, edgeVariables.WORKER_URLS].filter(Boolean).join(',');
const edgeSecrets = { WORKER_SECRET: workerSecret, ADMIN_TOKEN: adminToken };
const checked = parseEdgeConfig({ ...wranglerVars(), ...edgeVariables, ...edgeSecrets });
if (!checked.ok) {
  process.stderr.write(`npm start: the edge's configuration (wrangler.toml's [vars], and the environment's over them) is invalid:\n`);
  process.stderr.write(checked.problems.map((line) => `  ${line}\n`).join(''));
  process.exit(1);
}

const state = mkdtempSync(join(tmpdir(), 'open-tts-'));
const children: ChildProcess[] = [];
let stopping = false;

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

/**
 * Starts a child in its own process group, prefixing its output, so it can be stopped whole.
 * When it dies: a worker is started again (after 1, 2, 4... up to 30 s; the pool serves from the
 * others meanwhile), anything else stops the stack.
 */
function launch(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, restart = false, backoffMs = 1_000): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const started = Date.now();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  child.once('exit', (code, signal) => {
    children.splice(children.indexOf(child), 1);
    if (stopping) return;
    if (!restart) {
      say(`${name} exited (${signal ?? code}); stopping the stack.`);
      return void stop(1);
    }
    // A worker that ran a while gets a fresh backoff; one that keeps dying waits longer each time.
    const wait = Date.now() - started > 60_000 ? 1_000 : backoffMs;
    say(`${name} exited (${signal ?? code}); starting it again in ${wait / 1000} s.`);
    setTimeout(() => {
      if (!stopping) launch(name, command, args, env, restart, Math.min(30_000, wait * 2));
    }, wait).unref();
  });
  children.push(child);
  return child;
}

async function stop(code: number): Promise<never> {
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          try {
            process.kill(-child.pid!, 'SIGTERM');
          } catch {
            resolve();
          }
          setTimeout(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          }, 5_000).unref();
        }),
    ),
  );
  rmSync(state, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// npm does not pass SIGTERM on to its script: when npm itself goes away, stop too.
const launcher = process.ppid;
setInterval(() => {
  if (process.ppid !== launcher) void stop(0);
}, 500).unref();

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) await new Promise(() => {});
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

async function admin(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(edgeUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

async function main() {
  const packArgs = (values.pack ?? []).flatMap((dir) => ['--pack', dir]);
  for (const [i, port] of workerPorts.entries()) {
    const name = workerCount === 1 ? 'gpu-worker' : `gpu-worker-${i + 1}`;
    launch(name, process.execPath, [join(ROOT, 'gpu-worker/main.ts'), '--port', String(port), ...packArgs], { WORKER_SECRET: workerSecret, EDGE_URL: edgeUrl }, true);
  }
  for (const port of workerPorts) await waitFor(`the gpu-worker on ${port}`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 120_000);

  // Secrets reach wrangler through an env file, so it lists them as hidden rather than printing
  // them; the variables set here come along, and go over wrangler.toml's [vars].
  const envFile = join(state, '.env');
  writeFileSync(envFile, envFileText({ ...edgeVariables, ...edgeSecrets }), { mode: 0o600 });
  // No metrics, no interactive prompts, and no fetch of the `Request.cf` object (it fails offline with two stack traces).
  const wranglerEnv = { WRANGLER_SEND_METRICS: 'false', CI: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
  execFileSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], { cwd: ROOT, env: { ...process.env, ...wranglerEnv }, stdio: 'ignore' });
  const edgeArgs = ['--ip', '127.0.0.1', '--port', String(edgePort), '--persist-to', state, '--env-file', envFile, '--log-level', 'warn'];
  if (values.inspect) launch('edge', WRANGLER, ['dev', ...edgeArgs, '--inspector-port', '9229', '--show-interactive-dev-session=false'], wranglerEnv);
  else launch('edge', process.execPath, [join(ROOT, 'scripts/edge-dev.ts'), ...edgeArgs], wranglerEnv);
  await waitFor('the edge', async () => (await fetch(`${edgeUrl}/v1/models`)).status === 401, 120_000);

  // Accounts start with no credits (pay per use): the demo account gets a million characters.
  const account = await admin('/admin/accounts', { name: 'Local demo', credits: 1_000_000 });
  const key = await admin(`/admin/accounts/${account.id}/keys`, demoKey ? { secret: demoKey } : {});
  const apiKey = key.key as string;

  // The first words, through the whole path.
  const hello = await fetch(`${edgeUrl}/v1/audio/speech`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ input: 'Hello! The speech stack is up and running.', voice: 'en-female', response_format: 'wav' }),
  });
  const wav = new Uint8Array(await hello.arrayBuffer());
  if (!hello.ok) throw new Error(`the first request failed: ${new TextDecoder().decode(wav)}`);
  writeFileSync(join(ROOT, 'hello.wav'), wav);

  say();
  say(`The stack is up: edge ${edgeUrl}, gpu-workers ${workerUrls} (GET /admin/pool lists them)`);
  say(`  Playground:  ${edgeUrl}/ (paste the demo key)`);
  say(`  API key:     ${apiKey}`);
  say(`  Admin token: ${adminToken}`);
  say(`  Spoke:       hello.wav (${((wav.byteLength - 44) / 48_000).toFixed(1)} s)`);
  if (values.inspect) say('  DevTools:    chrome://inspect, localhost:9229 (the edge runs under wrangler dev: its memory grows with use)');
  say();
  say('Try it:');
  say(`  curl ${edgeUrl}/v1/audio/speech \\`);
  say(`    -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" \\`);
  say(`    -d '{"input": "Streaming speech, chunk by chunk.", "voice": "en-male"}' -o speech.mp3`);
  say();
  say('Clone a voice from 3 to 30 s of speech (WAV, MP3, Ogg, FLAC, WebM, M4A), then use its id as "voice":');
  say(`  curl ${edgeUrl}/v1/voices -H "Authorization: Bearer ${apiKey}" \\`);
  say(`    -F file=@clip.wav -F name="My voice" -F consent=true`);
  say();
  say('Ctrl-C stops everything.');
}

main().catch((error: unknown) => {
  say(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
