/**
 * `npm run test:container`: the gpu-worker image end to end, with podman (deploy/container).
 * Builds the CPU image (on local stand-ins for the official base images when no registry answers),
 * runs it with a tiny Qwen3 pack mounted, puts the edge (workerd, test harness) in front of it,
 * and sends the container SIGTERM in the middle of a stream: the stream must finish whole and the
 * container exit 0. Prints each step with its time. Not part of `npm test`: it takes minutes.
 *
 * Needs root, podman and runc (debootstrap to build the stand-ins); says what is missing.
 * BASE_IMAGE and RUNTIME_IMAGE build on given images; PODMAN_FLAGS: see deploy/container/podman.ts.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildLocalBases, LOCAL_BASE, LOCAL_RUNTIME } from '../deploy/container/build-local-base.ts';
import { HOST_NETWORK, INSTALL_HINT, missingTools, podman, podmanOk, podmanStream } from '../deploy/container/podman.ts';
import { writeTinyPack } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { type EdgeHarness, startEdge } from '../test/harness/edge.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const IMAGE = 'localhost/open-tts-gpu-worker:cpu';
const OFFICIAL = { base: 'docker.io/library/node:22-bookworm-slim', runtime: 'docker.io/library/debian:bookworm-slim' };
const CONTAINER = `open-tts-test-${process.pid}`;
const SECRET = randomBytes(24).toString('base64url');
/** espeak's takes of one text differ by a few samples, each sentence: this many bytes of s16 pcm in all. */
const TOLERANCE_BYTES = 2_000;
/** About two minutes of speech, made in seconds: SIGTERM lands mid-stream. */
const TEXT = Array.from(
  { length: 6 },
  (_, i) =>
    `Part ${i + 1}. The worker keeps speaking while the container is asked to stop. ` +
    'It refuses new requests, tells the edge it is leaving, and lets every open stream run to its end. ' +
    'Only then does it close its server and exit with a clean status, so nobody hears a sentence cut in half. ' +
    'A load balancer sees the readiness check fail at once and sends new work elsewhere.',
).join(' ');

const say = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function step<T>(name: string, run: () => T | Promise<T>): Promise<T> {
  say(`==> ${name}`);
  const started = performance.now();
  const result = await run();
  say(`    done in ${seconds(performance.now() - started)}`);
  return result;
}

function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The official images when present or pullable, else the local stand-ins (built when missing). */
async function baseImages(): Promise<{ base: string; runtime: string }> {
  if (process.env.BASE_IMAGE && process.env.RUNTIME_IMAGE) return { base: process.env.BASE_IMAGE, runtime: process.env.RUNTIME_IMAGE };
  if (Object.values(OFFICIAL).every((image) => podmanOk(['image', 'exists', image]) || podmanOk(['pull', '-q', image]))) return OFFICIAL;
  say(`    ${OFFICIAL.base} and ${OFFICIAL.runtime} cannot be pulled: using local stand-ins`);
  if (![LOCAL_BASE, LOCAL_RUNTIME].every((image) => podmanOk(['image', 'exists', image]))) await buildLocalBases((line) => say(`    ${line}`));
  return { base: LOCAL_BASE, runtime: LOCAL_RUNTIME };
}

const workerLogs = () => podman(['logs', CONTAINER]).trim().split('\n');
const logged = (message: string) => workerLogs().find((line) => line.includes(`"message":"${message}"`));

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/readyz`).catch(() => undefined))?.ok) return;
    if (podman(['inspect', '--format', '{{.State.Running}}', CONTAINER]).trim() !== 'true') throw new Error('the container exited before it was ready');
    await sleep(250);
  }
  throw new Error(`${url}/readyz did not answer 200 within 120 s`);
}

function speak(edge: EdgeHarness, key: string, body: Record<string, unknown>): Promise<Response> {
  return edge.fetch('/v1/audio/speech', { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Reads a response to its end; `onBytes` sees the running total after each chunk. */
async function readAll(response: Response, onBytes: (total: number) => void = () => {}): Promise<number> {
  if (!response.ok || !response.body) throw new Error(`speech answered ${response.status}: ${await response.text()}`);
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    onBytes(total);
  }
  return total;
}

async function main(): Promise<number> {
  const missing = missingTools();
  if (missing.length > 0 || process.getuid?.() !== 0) {
    say(`test:container needs root and a container engine. Missing: ${[...missing, ...(process.getuid?.() !== 0 ? ['root'] : [])].join(', ')}.`);
    say(`Install them as root (Debian/Ubuntu): ${INSTALL_HINT}`);
    return 1;
  }
  const started = performance.now();
  const packs = mkdtempSync(join(tmpdir(), 'open-tts-packs-'));
  let edge: EdgeHarness | undefined;
  try {
    const { base, runtime } = await step('base images', baseImages);
    // --layers=false: vfs copies the whole file system for each cached step; one layer per stage
    // builds in a third of the time. --format docker keeps the HEALTHCHECK.
    await step(`building ${IMAGE} on ${base} / ${runtime}`, async () => {
      const previous = podmanOk(['image', 'exists', IMAGE]) ? podman(['image', 'inspect', '--format', '{{.Id}}', IMAGE]).trim() : undefined;
      await podmanStream(['build', '--layers=false', '--format', 'docker', ...HOST_NETWORK, '-f', join(ROOT, 'deploy/container/Dockerfile'), '--build-arg', `BASE_IMAGE=${base}`, '--build-arg', `RUNTIME_IMAGE=${runtime}`, '-t', IMAGE, ROOT]);
      if (previous) podmanOk(['rmi', previous]); // the last run's image, untagged now: a full copy under vfs
    });
    for (const image of [IMAGE, base, runtime]) say(podman(['images', '--format', '    {{.Repository}}:{{.Tag}}  {{.Size}}', image]).trimEnd());

    const model = await step('tiny Qwen3 pack', async () => {
      chmodSync(packs, 0o755); // the container's user (10001) reads it
      const manifest = await writeTinyPack(join(packs, 'qwen3-tts-tiny'));
      say(`    ${manifest.id} in ${packs}, mounted at /models`);
      return manifest.id;
    });

    const url = await step('worker container', async () => {
      const port = await freePort();
      podman(
        ['run', '-d', '--name', CONTAINER, ...HOST_NETWORK, '-e', 'WORKER_SECRET', '-e', `WORKER_PORT=${port}`, '-e', 'WORKER_HOST=127.0.0.1', '-v', `${packs}:/models:ro`, IMAGE],
        { WORKER_SECRET: SECRET },
      );
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url);
      say(`    ${CONTAINER} ready at ${url}; ${logged('engines loaded')}`);
      say(`    HEALTHCHECK: ${podmanOk(['healthcheck', 'run', CONTAINER]) ? 'healthy' : 'UNHEALTHY'}`);
      return url;
    });

    const key = await step('edge (workerd) in front of it, and a key', async () => {
      edge = await startEdge({ workerUrls: [url], workerSecret: SECRET });
      say(`    edge at ${edge.url}`);
      return (await edge.createKey()).key;
    });

    await step(`one sentence from ${model}`, async () => {
      const bytes = await readAll(await speak(edge!, key, { model, input: 'Hello from the container.', response_format: 'pcm' }));
      if (bytes === 0) throw new Error(`${model} spoke nothing`);
      say(`    ${bytes} bytes of pcm`);
    });

    const whole = await step(`uninterrupted: ${TEXT.length} characters with espeak, pcm`, async () => {
      const t = performance.now();
      const bytes = await readAll(await speak(edge!, key, { model: 'espeak', input: TEXT, response_format: 'pcm' }));
      say(`    ${bytes} bytes (${(bytes / 48_000).toFixed(1)} s of audio at 24 kHz) in ${seconds(performance.now() - t)}`);
      return bytes;
    });

    const { cut, atSignal } = await step('the same, with SIGTERM to the container mid-stream', async () => {
      let signalled: Promise<void> | undefined;
      let atSignal = 0;
      const t = performance.now();
      const cut = await readAll(await speak(edge!, key, { model: 'espeak', input: TEXT, response_format: 'pcm' }), (total) => {
        if (signalled || total < whole / 10) return;
        atSignal = total;
        say(`    podman kill --signal TERM at ${total} bytes, ${seconds(performance.now() - t)} in`);
        signalled = podmanStream(['kill', '--signal', 'TERM', CONTAINER], '    podman: ');
      });
      await signalled;
      say(`    stream ended after ${cut} bytes, ${seconds(performance.now() - t)} in`);
      return { cut, atSignal };
    });

    const { exitCode, openAtSignal } = await step('container exit', () => {
      const exitCode = podman(['wait', CONTAINER]).trim();
      const [draining, stopped] = [logged('draining'), logged('stopped')];
      say(`    ${draining ?? '(no "draining" line)'}\n    ${stopped ?? '(no "stopped" line)'}`);
      return { exitCode, openAtSignal: draining ? (JSON.parse(draining) as { active: number }).active : 0 };
    });

    const checks: Array<[string, boolean]> = [
      [`SIGTERM came mid-stream (${atSignal} of ${whole} bytes received)`, atSignal > 0 && atSignal < whole],
      [`the worker was still streaming it then ("draining" with ${openAtSignal} active)`, openAtSignal === 1],
      [`the stream finished whole: ${cut} bytes against ${whole} (within ${TOLERANCE_BYTES})`, Math.abs(cut - whole) <= TOLERANCE_BYTES],
      [`the container exited ${exitCode}`, exitCode === '0'],
    ];
    say();
    for (const [what, ok] of checks) say(`${ok ? 'PASS' : 'FAIL'}  ${what}`);
    const passed = checks.every(([, ok]) => ok);
    say(`\n${passed ? 'container test passed' : 'container test FAILED'} in ${seconds(performance.now() - started)}`);
    return passed ? 0 : 1;
  } catch (error) {
    say(`\nFAILED: ${error instanceof Error ? error.message : String(error)}`);
    if (podmanOk(['container', 'exists', CONTAINER])) say(`worker container's last lines:\n${workerLogs().slice(-30).join('\n')}`);
    return 1;
  } finally {
    await edge?.dispose();
    if (podmanOk(['container', 'exists', CONTAINER])) podman(['rm', '-f', CONTAINER]);
    rmSync(packs, { recursive: true, force: true });
  }
}

process.exitCode = await main();
