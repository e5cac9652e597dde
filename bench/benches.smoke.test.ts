/**
 * The benches are code too: every `npm run bench*` script and each reproduction driver, run in its
 * smoke mode (bench/options.ts: a handful of requests at the smallest levels), must exit 0, print
 * the header of each of its tables and leave no process behind; `--help` must list its options.
 * One after another: each starts its own stack. No figure is checked here: they are the benches'.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';

const ROOT = new URL('../', import.meta.url).pathname;

interface Bench {
  /** The npm script, or the driver's path for reproductions (run with node). */
  name: string;
  command: string[];
  /** Each table's header, as columns in order (a RegExp where the name varies). */
  tables: Array<Array<string | RegExp>>;
  /** Options that take a port: given a free one, so that two suites can run side by side. */
  ports?: string[];
}

const npmScript = (script: string, tables: Bench['tables']): Bench => ({ name: script, command: ['npm', 'run', '--silent', script, '--'], tables });
const driver = (path: string, tables: Bench['tables'], ports: string[]): Bench => ({ name: path, command: ['npx', 'node', path], tables, ports });

const BENCHES: Bench[] = [
  npmScript('bench', [
    ['path', 'ttfb p50 ms', 'ttfb p90 ms', 'total p50 ms', 'total p90 ms'],
    ['run', 'direct p50 ms', 'floor adds ms', 'edge adds ms', 'edge over floor ms', 'bound: edge adds at most ms', 'within'],
    ['route', 'ttfb p50 ms', 'ttfb p90 ms', 'total p50 ms', 'admission p50 ms'],
    ['in flight', 'requests', 'ttfb p50 ms', 'ttfb p99 ms', 'p50 / unloaded p50'],
  ]),
  npmScript('bench:qwen3', [['pack', 'layers', 'hidden', 'frames', 'mean ctx', 'wall ms', 'ORT ms']]),
  npmScript('bench:limits', [
    ['path', 'ttfb p50 ms', 'ttfb p90 ms', 'total p50 ms', 'added ttfb p50 ms', 'added ttfb p90 ms', 'admission p50 ms', 'admission p90 ms', 'admission mean ms', 'admission mean ÷ key'],
    ['credential', 'callers in flight', 'requests (admit + settle)', 'seconds', 'requests/s', 'object calls/s', 'balance exact', 'middle half requests/s', 'requests/s ÷ key'],
    ['credential', 'admissions in a row', 'µs per admit + settle', 'middle half µs', 'balance exact', '÷ key'],
  ]),
  npmScript('bench:voices', [['model', 'path', 'ttfb p50 ms', 'ttfb p90 ms', '÷ cache hit']]),
  npmScript('bench:pool', [
    ['workers', 'requests', 'concurrency', 'requests/s', 'ttfb p50 ms', 'ttfb p99 ms', 'failed'],
    ['death → circuit open (no more requests routed) ms', 'death → dropped from the pool ms'],
  ]),
  npmScript('bench:overload', [['budget ms', 'requests', 'served', 'refused', 'other failures', 'ttfb p50 ms', 'ttfb p99 ms', 'refusal p50 ms', 'refusal p99 ms']]),
  npmScript('bench:encoders', [['format', 'rate Hz', 'CPU ms per s of audio', 'first byte ms', 'first audio byte ms']]),
  npmScript('bench:soak', [
    ['requests', 'edge MB', 'gpu-worker MB', 'ttfb p50 ms', 'ttfb p99 ms', 'errors'],
    ['process', 'growth', 'per request KB', 'under 10%'],
  ]),
  npmScript('bench:realtime', [
    ['path', 'p50 ms', 'p90 ms'],
    ['workload', 'messages/s (best of 3)', 'all runs'],
  ]),
  npmScript('bench:edge-cpu', [
    ['path', 'short CPU ms', 'long CPU ms', 'over floor, short ms', 'over floor, long ms', 'ms per audio s', 'short bound ms'],
    ['step', 'ms'],
  ]),
  npmScript('bench:jobs', [
    ['characters', 'chunks', 'workers', 'wall s', 'sum of render s', 'sum / wall', 'peak in flight', 'peak rendering', 'retries', 'follower first audio ms', 'follower bytes = file', 'audio s', 'realtime factor'],
  ]),
  npmScript('bench:pronunciation', [
    ['step', 'input', 'median ms', 'p90 ms'],
    ['request', 'ttfb p50 ms', 'ttfb p90 ms', 'total p50 ms', 'ttfb p50 ÷ plain'],
  ]),
  npmScript('bench:cache', [['request', 'requests', 'ttfb p50 ms', 'ttfb p90 ms', 'total p50 ms', 'edge CPU ms a request', 'ttfb p50 ÷ miss']]),
  { ...npmScript('bench:edge-profile', [['function', 'self ms', '% of busy', 'ms a request']]), ports: ['--inspector-port'] },
  driver('bench/repro/workerd-uncollected-responses/driver.ts', [['case', 'v8Flags', '0k']], ['--port']),
  // The smoke mode runs the Miniflare control: `wrangler dev` alone takes longer than every other smoke run.
  driver('bench/repro/wrangler-dev-inspector/driver.ts', [['requests', /workerd \d+ \(entry\) MB/, 'driver node MB']], ['--port', '--inspector-port']),
];

/** A port nothing listens on now (the kernel's choice). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A header line of console.table (│ between cells) or of a Markdown table (|), the columns in order. */
function headerPattern(columns: Array<string | RegExp>): RegExp {
  const source = columns.map((column) => (typeof column === 'string' ? column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : column.source));
  return new RegExp(`[│|]\\s*${source.join('\\s*[│|]\\s*')}\\s*[│|]`);
}

/** The processes of a process group still alive (the benches' stacks stay in the group they were started in). */
function groupMembers(group: number): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === group && state !== 'Z' ? [`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Processes of the run's group alive when its first process exited. */
  leftovers: string[];
}

/** Runs a command in a process group of its own, and kills what is left of the group when the test ends. */
async function run(command: string[]): Promise<Run> {
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (groupMembers(child.pid!).length > 0) process.kill(-child.pid!, 'SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const [code, signal] = (await new Promise((resolve) => child.once('exit', (...args) => resolve(args)))) as [number | null, NodeJS.Signals | null];
  // Checked when the bench exits: a stack it did not wait for is still in the group then.
  const leftovers = groupMembers(child.pid!);
  if (leftovers.length > 0) process.kill(-child.pid!, 'SIGKILL');
  if (child.stdout!.readable || child.stderr!.readable) await new Promise((resolve) => child.once('close', resolve));
  return { code, signal, stdout, stderr, leftovers };
}

const tail = (text: string) => text.split('\n').slice(-40).join('\n');

describe('benches', () => {
  it('every bench script in package.json has a smoke run here', () => {
    const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
    const benchScripts = Object.keys(scripts).filter((name) => /^bench(:|$)/.test(name));
    expect(BENCHES.filter((bench) => !bench.name.includes('/')).map((bench) => bench.name).sort()).toEqual(benchScripts.sort());
  });

  for (const bench of BENCHES) {
    it(`${bench.name}: --help lists its options; --smoke runs it end to end and prints its tables`, { timeout: 240_000 }, async () => {
      const help = await run([...bench.command, '--help']);
      expect(help.code, `--help exited ${help.code}; stderr:\n${tail(help.stderr)}`).toBe(0);
      expect(help.stdout).toMatch(/^Usage: /m);
      expect(help.stdout).toMatch(/^ {2}--smoke +\S/m);
      expect(help.stdout).toMatch(/^ {2}--help +\S/m);

      const portArgs = await Promise.all((bench.ports ?? []).map(async (option) => [option, String(await freePort())]));
      const smoke = await run([...bench.command, '--smoke', ...portArgs.flat()]);
      const context = `${bench.command.join(' ')} --smoke exited ${smoke.code ?? smoke.signal}\nstdout:\n${tail(smoke.stdout)}\nstderr:\n${tail(smoke.stderr)}`;
      expect(smoke.code, context).toBe(0);
      for (const columns of bench.tables) expect(smoke.stdout, `no table header with ${columns.join(', ')}\n${context}`).toMatch(headerPattern(columns));
      expect(smoke.leftovers, `processes left running after ${bench.name} exited`).toEqual([]);
    });
  }
});
