/**
 * Builds local stand-ins for the Dockerfile's two official images, for machines that reach no
 * image registry. Both are Debian bookworm (debootstrap minbase) from the machine's own apt mirror:
 *   localhost/open-tts-os:bookworm     for debian:bookworm-slim (RUNTIME_IMAGE)
 *   localhost/open-tts-base:bookworm   for node:22-bookworm-slim (BASE_IMAGE): the same, plus this
 *     repository's Node 22 binary (the `node` package) at /usr/local/bin/node and the host's npm
 *     at /usr/local/lib/node_modules/npm, where the official image has them.
 *
 *   node deploy/container/build-local-base.ts    (as root, with debootstrap and podman)
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INSTALL_HINT, missingTools, podmanStream } from './podman.ts';

export const LOCAL_BASE = 'localhost/open-tts-base:bookworm';
export const LOCAL_RUNTIME = 'localhost/open-tts-os:bookworm';
const ROOT = new URL('../../', import.meta.url).pathname;
const SUITE = 'bookworm';
const EXTRA_CA = '/usr/local/share/ca-certificates/extra-ca.crt';

/** The apt mirror this machine installs bookworm from (one-line or deb822 sources), else Debian's CDN. */
export function debianMirror(): string {
  const listDir = '/etc/apt/sources.list.d';
  const files = ['/etc/apt/sources.list', ...(existsSync(listDir) ? readdirSync(listDir).map((name) => join(listDir, name)) : [])];
  for (const file of files.filter((f) => /\.(list|sources)$/.test(f) && existsSync(f))) {
    const text = readFileSync(file, 'utf8');
    const line = text.match(new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${SUITE}\\s`, 'm'));
    if (line) return line[1]!;
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => stanza.match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]?.trim().split(/\s+/) ?? [];
      if (field('Types').includes('deb') && field('Suites').includes(SUITE) && field('URIs')[0]) return field('URIs')[0]!;
    }
  }
  return 'http://deb.debian.org/debian';
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${command} failed (${result.status ?? result.error?.message}):\n${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n')}`);
  return result.stdout.trim();
}

/** Imports a root filesystem as an image. */
async function importRootfs(dir: string, tag: string, env: string[]): Promise<void> {
  const tar = spawn('tar', ['--numeric-owner', '-C', dir, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const changes = [...env.map((e) => `ENV ${e}`), 'CMD ["/bin/sh"]'].flatMap((c) => ['--change', c]);
  await podmanStream(['import', ...changes, '-', tag], '    | ', tar.stdout);
}

export async function buildLocalBases(say: (line: string) => void = console.log): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('build-local-base: debootstrap needs root');
  const missing = missingTools(['debootstrap', 'tar']);
  if (missing.length > 0) throw new Error(`build-local-base: ${missing.join(', ')} not installed; as root: ${INSTALL_HINT}`);
  const mirror = debianMirror();
  const extraCa = process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS) ? process.env.NODE_EXTRA_CA_CERTS : undefined;
  const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...(extraCa ? [`NODE_EXTRA_CA_CERTS=${EXTRA_CA}`] : [])];
  // /var/tmp: a root filesystem is too big for a tmpfs /tmp.
  const dir = mkdtempSync('/var/tmp/open-tts-base-');
  chmodSync(dir, 0o755); // it becomes the image's "/": mkdtemp's 0700 would lock out non-root users
  try {
    say(`debootstrap --variant=minbase ${SUITE} from ${mirror}`);
    run('debootstrap', ['--variant=minbase', SUITE, dir, mirror]);
    // What a slim image leaves out: package caches, lists and documentation.
    for (const path of ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info']) {
      rmSync(join(dir, path), { recursive: true, force: true });
      mkdirSync(join(dir, path), { recursive: true });
    }
    // Behind a TLS-inspecting proxy the host trusts its CA through NODE_EXTRA_CA_CERTS; the
    // images do too, so npm in the build (and `models pull` at start) get through the same way.
    if (extraCa) {
      say(`trusting the host's NODE_EXTRA_CA_CERTS (${extraCa})`);
      mkdirSync(join(dir, dirname(EXTRA_CA)), { recursive: true });
      cpSync(extraCa, join(dir, EXTRA_CA));
    }
    say(`importing ${LOCAL_RUNTIME}`);
    await importRootfs(dir, LOCAL_RUNTIME, env);

    const node = realpathSync(join(ROOT, 'node_modules/.bin/node'));
    const npm = join(run('npm', ['root', '-g']), 'npm');
    say(`adding node ${run(node, ['--version'])} from ${node}, npm ${run(node, [join(npm, 'bin/npm-cli.js'), '--version'])} from ${npm}`);
    cpSync(node, join(dir, 'usr/local/bin/node'));
    chmodSync(join(dir, 'usr/local/bin/node'), 0o755);
    cpSync(npm, join(dir, 'usr/local/lib/node_modules/npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(dir, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(dir, 'usr/local/bin/npx'));
    say(`importing ${LOCAL_BASE}`);
    await importRootfs(dir, LOCAL_BASE, env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) await buildLocalBases();
