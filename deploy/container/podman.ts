/**
 * How the container scripts call podman, in one place: the global flags, the containers.conf
 * next to this file, and the host network for builds and runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * vfs storage, runc and cgroupfs work where overlayfs or crun do not (crun fails on kernels with
 * hybrid cgroups). PODMAN_FLAGS replaces them, e.g. with "" on a machine where the defaults work.
 */
const FLAGS = process.env.PODMAN_FLAGS?.split(/\s+/).filter(Boolean) ?? ['--storage-driver', 'vfs', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs'];

/** Builds and containers share the host's network: npm reaches its registry, the test reaches the worker. */
export const HOST_NETWORK = ['--network', 'host'];

const ENV = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? new URL('containers.conf', import.meta.url).pathname };

/** Which of podman, its runtime and `extra` this machine lacks (empty when nothing). */
export function missingTools(extra: string[] = []): string[] {
  const runtime = FLAGS.includes('--runtime') ? [FLAGS[FLAGS.indexOf('--runtime') + 1]!] : [];
  return ['podman', ...runtime, ...extra].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
}

/** The line that installs them on Debian or Ubuntu. */
export const INSTALL_HINT = 'apt-get update && apt-get install -y podman runc debootstrap';

/**
 * Runs podman to the end and returns its stdout; throws with its stderr when it fails. `env` adds
 * variables (a secret passed as `-e NAME` stays off the command line).
 */
export function podman(args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync('podman', [...FLAGS, ...args], { env: { ...ENV, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`podman ${args[0]} failed (${result.status ?? result.signal}): ${result.stderr.trim() || result.error?.message}`);
  return result.stdout;
}

/** Whether `podman <args>` succeeds (e.g. `image exists`), quietly. */
export function podmanOk(args: string[]): boolean {
  return spawnSync('podman', [...FLAGS, ...args], { env: ENV, stdio: 'ignore' }).status === 0;
}

/**
 * Runs podman with its output shown as it comes, each line prefixed; `stdin` is piped in when
 * given (an image tarball for `import -`). Rejects when it fails.
 */
export function podmanStream(args: string[], prefix = '    | ', stdin?: NodeJS.ReadableStream): Promise<void> {
  const child = spawn('podman', [...FLAGS, ...args], { env: ENV, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  if (stdin) stdin.pipe(child.stdin!);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`podman ${args[0]} failed (${code ?? signal})`))));
  });
}
