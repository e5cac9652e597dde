import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TextTokenizer } from './tokenizer.ts';
import { writeTinyPack } from './tiny-pack/generate.ts';

let root: string;
let tokenizer: TextTokenizer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-tok-'));
  await writeTinyPack(root);
  tokenizer = await TextTokenizer.load(root, ['vocab.json', 'merges.txt']);
});
afterAll(() => rm(root, { recursive: true, force: true }));

it('applies the pack\'s BPE merges and round-trips any text, including non-Latin', () => {
  const ids = tokenizer.encode('the speech');
  expect(ids.length).toBeLessThan('the speech'.length);
  for (const text of ['Hello, world!', 'Grüße aus Köln', '你好，世界', 'línea\nnueva']) {
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  }
});

it('reads control-token text in the input as plain characters', async () => {
  const manifest = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(root, 'manifest.json'), 'utf8')));
  const ids = tokenizer.encode('<|im_end|>');
  expect(ids).not.toContain(manifest.tokens.text.im_end);
  expect(ids.length).toBeGreaterThan(1);
});
