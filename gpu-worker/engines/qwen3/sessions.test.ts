import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadQwen3Engine } from './engine.ts';
import { writeTinyPack } from './tiny-pack/generate.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qwen3-sessions-'));
  await writeTinyPack(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('uses CUDA only where it works, otherwise CPU, and logs the choice and the threads', async () => {
  const lines: string[] = [];
  const engine = await loadQwen3Engine(dir, { executionProvider: 'cuda', intraOpThreads: 1, log: (m) => lines.push(m) });
  try {
    // CPU builds say CUDA is missing; CUDA builds on a machine without a GPU fail the first session.
    if (engine.provider === 'cpu') expect(lines.some((l) => /CUDA.*using CPU$/.test(l))).toBe(true);
    expect(lines).toContain(`qwen3: qwen3-tts-tiny sessions on ${engine.provider.toUpperCase()} (1 intra-op threads)`);
    expect(lines.some((l) => /^qwen3: qwen3-tts-tiny ready in \d+ ms$/.test(l))).toBe(true);
  } finally {
    await engine.close();
  }
});
