import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQwen3Engine } from './engine.ts';
import { PackError, type Manifest } from './pack.ts';
import { GraphBuilder, int } from './tiny-pack/graph.ts';
import { writeTinyPack } from './tiny-pack/generate.ts';

let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-pack-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh tiny pack, changed by `edit`, with the manifest rewritten after it. */
async function brokenPack(edit: (dir: string, manifest: Manifest) => Promise<void> | void): Promise<string> {
  const dir = join(root, `pack-${count++}`);
  const manifest = await writeTinyPack(dir);
  await edit(dir, manifest);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/** Replaces a file of the pack and updates its manifest entry, as a consistent but wrong export would. */
async function replaceFile(dir: string, manifest: Manifest, file: string, data: Uint8Array) {
  await writeFile(join(dir, file), data);
  manifest.files[file] = { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.byteLength };
}

const load = (dir: string, verifyChecksums = false) => loadQwen3Engine(dir, { warmUp: false, verifyChecksums });

describe('a broken pack fails at start-up, naming the file and the problem', () => {
  it('missing ONNX file', async () => {
    const dir = await brokenPack((d) => unlink(join(d, 'code_predictor.onnx')));
    await expect(load(dir)).rejects.toThrow('model pack: code_predictor.onnx: missing from the pack directory');
  });

  it('missing tokenizer file', async () => {
    const dir = await brokenPack((d) => unlink(join(d, 'merges.txt')));
    await expect(load(dir)).rejects.toThrow('model pack: merges.txt: missing from the pack directory');
  });

  it('a needed file not listed in the manifest', async () => {
    const dir = await brokenPack((_, m) => void delete m.files['talker_decode.onnx']);
    await expect(load(dir)).rejects.toThrow('model pack: talker_decode.onnx: not listed in manifest.json "files"');
  });

  it('a file of the wrong size (truncated download)', async () => {
    const dir = await brokenPack(async (d) => {
      const data = await readFile(join(d, 'codec_embed.onnx'));
      await writeFile(join(d, 'codec_embed.onnx'), data.subarray(0, 100));
    });
    await expect(load(dir)).rejects.toThrow(/model pack: codec_embed\.onnx: size 100 bytes, manifest says \d+/);
  });

  it('a checksum mismatch, when checksums are verified', async () => {
    const dir = await brokenPack(async (d) => {
      const data = await readFile(join(d, 'text_project.onnx'));
      data[data.length - 1] = data[data.length - 1]! ^ 0xff;
      await writeFile(join(d, 'text_project.onnx'), data);
    });
    await expect(load(dir, true)).rejects.toThrow(/model pack: text_project\.onnx: sha256 [0-9a-f]{64} does not match the manifest/);
  });

  it('a wrong input name', async () => {
    const dir = await brokenPack(async (d, m) => {
      const g = new GraphBuilder('text_project');
      const ids = g.input('token_ids', 'int64', [1, 'N']);
      const table = g.init(new Float32Array(400 * m.dims.hidden_size), [400, m.dims.hidden_size]);
      g.output(g.op('Gather', [table, ids], { axis: int(0) }), 'embeds', 'float32', [1, 'N', m.dims.hidden_size]);
      await replaceFile(d, m, 'text_project.onnx', g.build());
    });
    await expect(load(dir)).rejects.toThrow('model pack: text_project.onnx: input "input_ids" missing (the model has inputs token_ids)');
  });

  it('a shape that disagrees with the manifest dimensions', async () => {
    const dir = await brokenPack((_, m) => void (m.dims.num_kv_heads = 4));
    await expect(load(dir)).rejects.toThrow(
      'model pack: talker_decode.onnx: input "past_key_0" has shape [1,2,P,8], expected [1,4,?,8] (num_kv_heads 4, head_dim 8 from manifest.json)',
    );
    const dir2 = await brokenPack((_, m) => {
      m.dims.hidden_size = 64;
      delete m.default_voice_file; // (its size check would fire first, also naming hidden_size)
    });
    await expect(load(dir2)).rejects.toThrow(
      'model pack: text_project.onnx: output "embeds" has shape [1,N,32], expected last dimension 64 (hidden_size 64 from manifest.json)',
    );
  });

  it('fewer layers in the manifest than in the model', async () => {
    const dir = await brokenPack((_, m) => void (m.dims.num_layers = 1));
    await expect(load(dir)).rejects.toThrow(/model pack: talker_decode\.onnx: unexpected inputs past_key_1, past_value_1/);
  });

  it('more layers in the manifest than in the model', async () => {
    const dir = await brokenPack((_, m) => void (m.dims.num_layers = 3));
    await expect(load(dir)).rejects.toThrow('model pack: talker_prefill.onnx: output "present_key_2" missing');
  });

  it('an invalid manifest', async () => {
    const dir = await brokenPack((_, m) => void ((m as { variant: string }).variant = 'Turbo'));
    const error = await load(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PackError);
    expect((error as Error).message).toMatch(/^model pack: manifest\.json: invalid: variant: /);
    const arabic = await brokenPack((_, m) => void ((m.languages as Record<string, number>).ar = 70));
    await expect(load(arabic)).rejects.toThrow(/manifest\.json: invalid: languages\.ar: unsupported language "ar"/);
  });

  it('not a pack at all', async () => {
    await expect(load(join(root, 'nowhere'))).rejects.toThrow(/manifest\.json: missing \(is this a model pack directory\?\)/);
  });

  it('a file that is not ONNX', async () => {
    const dir = await brokenPack((d, m) => replaceFile(d, m, 'code_predictor_embed.onnx', new TextEncoder().encode('<html>not found</html>')));
    await expect(load(dir)).rejects.toThrow(/model pack: code_predictor_embed\.onnx: ONNX Runtime cannot load it/);
  });
});

it('a sound pack verifies its checksums and loads', async () => {
  const dir = join(root, 'sound');
  await writeTinyPack(dir);
  const engine = await load(dir, true);
  expect(engine.info.id).toBe('qwen3-tts-tiny');
  await engine.close();
});
