import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadQwen3Engine } from '../engines/qwen3/engine.ts';
import { writeTinyPack } from '../engines/qwen3/tiny-pack/generate.ts';
import type { PullProgress } from './progress.ts';
import { pullPack } from './pull.ts';

const NAME = 'qwen3-tts-tiny';
const CUT_FILE = 'talker_prefill.onnx';

let root: string;
let remote: string;
let server: Server;
let base: string;
/** What the server saw: path and Range header of each request. */
let requests: { path: string; range: string | undefined }[] = [];
/** Files whose next full download is cut half-way, with the client's partial file to watch. */
const cutNext = new Map<string, string>();
/** Files served with one byte flipped. */
const corrupt = new Set<string>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-pull-'));
  remote = join(root, 'remote');
  await writeTinyPack(join(remote, NAME));
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, range: req.headers.range });
    const file = path.split('/').pop() ?? '';
    let data: Buffer;
    try {
      data = await readFile(join(remote, ...path.split('/').slice(2)));
    } catch {
      res.writeHead(404).end('not found');
      return;
    }
    if (corrupt.has(file)) {
      data = Buffer.from(data);
      data[10] = data[10]! ^ 0xff;
    }
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (match) {
      const from = Number(match[1]);
      if (from >= data.length) return void res.writeHead(416).end();
      res.writeHead(206, { 'content-length': data.length - from, 'content-range': `bytes ${from}-${data.length - 1}/${data.length}` });
      res.end(data.subarray(from));
      return;
    }
    res.writeHead(200, { 'content-length': data.length });
    const partial = cutNext.get(file);
    if (partial) {
      cutNext.delete(file);
      // Send half, and once the client has it on disk drop the connection: what a flaky network
      // does to a large download. (Dropping at once can lose the half inside the HTTP client.)
      const half = Math.floor(data.length / 2);
      res.write(data.subarray(0, half));
      while ((await stat(partial).then((s) => s.size, () => 0)) < half) await new Promise((ok) => setTimeout(ok, 2));
      res.destroy();
      return;
    }
    res.end(data);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  requests = [];
  cutNext.clear();
  corrupt.clear();
});

afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await rm(root, { recursive: true, force: true });
});

async function registry(urls: string[]): Promise<string> {
  const file = join(root, `registry-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ packs: { [NAME]: { urls } } }));
  return file;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

describe('models pull', () => {
  it('downloads a pack, verifies it, and the engine loads it', async () => {
    const dir = join(root, 'models-a');
    const target = await pullPack(NAME, { registry: await registry([`${base}/packs/${NAME}/`]), dir });
    expect(target).toBe(join(dir, NAME));
    const served = JSON.parse(await readFile(join(remote, NAME, 'manifest.json'), 'utf8'));
    expect(JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8'))).toEqual(served);
    const engine = await loadQwen3Engine(target, { warmUp: false, verifyChecksums: true });
    expect(engine.info.id).toBe(NAME);
    await engine.close();
  });

  it('resumes a download cut half-way with a Range request', async () => {
    const dir = join(root, 'models-b');
    cutNext.set(CUT_FILE, join(dir, NAME, `${CUT_FILE}.part`));
    const target = await pullPack(NAME, { registry: await registry([`${base}/packs/${NAME}/`]), dir });
    const size = (await stat(join(remote, NAME, CUT_FILE))).size;
    const attempts = requests.filter((r) => r.path.endsWith(CUT_FILE));
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(attempts[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(size);
    expect(await readFile(join(target, CUT_FILE))).toEqual(await readFile(join(remote, NAME, CUT_FILE)));
    expect(await exists(join(target, `${CUT_FILE}.part`))).toBe(false);
  });

  it('reports each file\'s bytes as they arrive, up to its size, and a resumed file from where it was cut', async () => {
    const dir = join(root, 'models-progress');
    cutNext.set(CUT_FILE, join(dir, NAME, `${CUT_FILE}.part`));
    const seen: PullProgress[] = [];
    const target = await pullPack(NAME, { registry: await registry([`${base}/packs/${NAME}/`]), dir, progress: (p) => seen.push(p) });
    const manifest = JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8')) as { files: Record<string, { bytes: number }> };
    for (const [file, { bytes }] of Object.entries(manifest.files)) {
      const done = seen.filter((p) => p.file === file).map((p) => p.done);
      expect(done.at(-1), file).toBe(bytes);
      expect(seen.filter((p) => p.file === file).every((p) => p.total === bytes)).toBe(true);
      // Never backwards: the cut file's second attempt goes on from the bytes the first left.
      expect(done, file).toEqual([...done].sort((a, b) => a - b));
    }
    const cut = seen.filter((p) => p.file === CUT_FILE).map((p) => p.done);
    expect(cut.some((done) => done > 0 && done < cut.at(-1)!)).toBe(true);
  });

  it('resumes a partial file left by an earlier run', async () => {
    const dir = join(root, 'models-c');
    const original = await readFile(join(remote, NAME, CUT_FILE));
    await mkdir(join(dir, NAME), { recursive: true });
    await writeFile(join(dir, NAME, `${CUT_FILE}.part`), original.subarray(0, 1000));
    await pullPack(NAME, { registry: await registry([`${base}/packs/${NAME}/`]), dir });
    expect(requests.find((r) => r.path.endsWith(CUT_FILE))?.range).toBe('bytes=1000-');
    expect(await readFile(join(dir, NAME, CUT_FILE))).toEqual(original);
  });

  it('fails on a checksum mismatch, naming the file, and leaves no loadable pack', async () => {
    corrupt.add('codec_embed.onnx');
    const dir = join(root, 'models-d');
    await expect(pullPack(NAME, { registry: await registry([`${base}/packs/${NAME}/`]), dir })).rejects.toThrow(
      /models pull: codec_embed\.onnx: sha256 [0-9a-f]{64} does not match the manifest/,
    );
    expect(await exists(join(dir, NAME, 'manifest.json'))).toBe(false);
    expect(await exists(join(dir, NAME, 'codec_embed.onnx.part'))).toBe(false);
  });

  it('falls back to the next mirror', async () => {
    const dir = join(root, 'models-e');
    const target = await pullPack(NAME, {
      registry: await registry([`${base}/missing/${NAME}/`, `${base}/packs/${NAME}/`]),
      dir,
    });
    expect(await exists(join(target, 'manifest.json'))).toBe(true);
  });

  it('says clearly when the host cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    await expect(
      pullPack(NAME, { registry: await registry([`http://127.0.0.1:${port}/packs/${NAME}/`]), dir: join(root, 'models-f') }),
    ).rejects.toThrow(`models pull: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
  });

  it('names the packs a registry has when asked for another', async () => {
    await expect(pullPack('qwen3-tts-9b', { registry: await registry([`${base}/packs/${NAME}/`]), dir: root })).rejects.toThrow(
      `no pack "qwen3-tts-9b"`,
    );
  });

  it('the CLI, not on a terminal, prints plain lines: each file when done, then a summary', async () => {
    const reg = await registry([`${base}/packs/${NAME}/`]);
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, 'cli.ts'), 'pull', NAME, '--registry', reg, '--dir', join(root, 'cli-ok')]);
    const lines = stdout.trim().split('\n');
    expect(stdout).not.toMatch(/[\r\x1b]/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${CUT_FILE}  [\\d.]+ KiB in \\d+s \\(`)));
    expect(lines).toContain(`${CUT_FILE}: ${(await stat(join(remote, NAME, CUT_FILE))).size} bytes, sha256 ok`);
    expect(lines.at(-2)).toMatch(/^downloaded [\d.]+ KiB in \d+s \([\d.]+ [KM]iB\/s\)$/);
  });

  it('the CLI exits 1 with the message when offline', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    const reg = await registry([`http://127.0.0.1:${port}/packs/${NAME}/`]);
    const run = promisify(execFile)(process.execPath, [join(import.meta.dirname, 'cli.ts'), 'pull', NAME, '--registry', reg, '--dir', join(root, 'cli')]);
    const failure = await run.then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`models pull: cannot reach 127.0.0.1:${port} (ECONNREFUSED)`);
  });
});
