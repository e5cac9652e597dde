/**
 * Reproduction: plain workerd (no Miniflare, no wrangler) running a three-line worker that answers
 * a 64 KiB body grows by hundreds of MB over 20,000 requests, and a forced full GC keeps it flat.
 * So it is garbage that V8 does not collect, because nothing tells it how much native memory
 * the small JS objects of each request keep alive.
 *
 * For each case it starts workerd with worker.js and a config that sets only `v8Flags`, sends
 * `--requests` requests (4 in flight) and prints workerd's resident memory every `--every`
 * requests and the seconds the run took.
 *
 *   npx node bench/repro/workerd-uncollected-responses/driver.ts [--requests 20000] [--every 2000]
 *                       [--workerd path/to/bin/workerd] [--case default] [--case gc-every-500]...
 *                       (--help: every option)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop } from '../../closed-loop.ts';
import { benchArgs } from '../../options.ts';
import { rssBytes } from '../../processes.ts';

/** V8 flags, and the query string that makes the worker force a GC. */
const CASES: Record<string, { flags: string[]; query?: string }> = {
  default: { flags: [] },
  'gc-every-500': { flags: ['--expose-gc'], query: '?gc=500' },
  'global-gc': { flags: ['--gc-global'] },
  'small-young-generation': { flags: ['--max-semi-space-size=1'] },
  'optimize-for-size': { flags: ['--optimize-for-size'] },
  'small-young-generation-global-gc': { flags: ['--max-semi-space-size=1', '--gc-global'] },
};
const { values } = benchArgs({
  command: 'npx node bench/repro/workerd-uncollected-responses/driver.ts',
  summary: "Plain workerd's resident memory over many requests to a three-line worker, with each set of V8 flags.",
  options: {
    requests: { type: 'string', default: '20000', smoke: '200', description: 'requests per case' },
    every: { type: 'string', default: '2000', smoke: '100', description: 'requests between memory readings' },
    concurrency: { type: 'string', default: '4', description: 'requests in flight' },
    port: { type: 'string', default: '8880', description: "workerd's port" },
    workerd: { type: 'string', default: new URL('../../../node_modules/workerd/bin/workerd', import.meta.url).pathname, description: 'the workerd binary' },
    case: { type: 'string', multiple: true, smoke: ['default'], description: `a case to run (repeatable; default all): ${Object.keys(CASES).join(', ')}` },
  },
});
const chosen = values.case.length > 0 ? values.case : Object.keys(CASES);
for (const name of chosen) if (!CASES[name]) throw new Error(`--case: one of ${Object.keys(CASES).join(', ')}`);
const HERE = new URL('.', import.meta.url).pathname;
const port = Number(values.port);
const total = Number(values.requests);
const every = Number(values.every);

const config = (flags: string[]) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  v8Flags = [${flags.map((flag) => JSON.stringify(flag)).join(', ')}],
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2026-04-01",
);
`;

async function started(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`workerd exited with ${child.exitCode}`);
    if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.arrayBuffer()).then(() => true, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('workerd did not answer within 10 s');
}

const dir = await mkdtemp(join(tmpdir(), 'workerd-repro-'));
await copyFile(join(HERE, 'worker.js'), join(dir, 'worker.js')); // `embed` reads beside the config
const rows: Array<Record<string, string>> = [];
try {
  for (const name of chosen) {
    const { flags, query = '' } = CASES[name]!;
    const file = join(dir, `${name}.capnp`);
    await writeFile(file, config(flags));
    const child = spawn(values.workerd, ['serve', file, '--experimental'], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      await started(child);
      const mb = () => `${Math.round((rssBytes(child.pid!) ?? 0) / 2 ** 20)}`;
      // Keys that are not integers, so the table keeps them in order after the case's name.
      const row: Record<string, string> = { case: name, v8Flags: flags.join(' ') || '(none)', '0k': mb() };
      let done = 0;
      const run = await closedLoop({
        total,
        concurrency: Number(values.concurrency),
        send: () => fetch(`http://127.0.0.1:${port}/${query}`),
        onOutcome: () => {
          if (++done % every === 0) row[`${done / 1000}k`] = mb();
        },
      });
      if (run.failed > 0) throw new Error(`${run.failed} requests failed`);
      row.seconds = run.seconds.toFixed(1);
      rows.push(row);
      console.log(Object.entries(row).map(([k, v]) => `${k} ${v}`).join(' | '));
    } finally {
      child.kill();
    }
  }
  console.log(`workerd resident memory, MB, after N requests (${values.workerd})`);
  console.table(rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
