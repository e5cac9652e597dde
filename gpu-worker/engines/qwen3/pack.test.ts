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

/** A stand-in codec encoder: constant codes (3) for ceil(samples / 1920) + `extra` frames. */
function encoderGraph(o: { input?: string; groups?: number; type?: 'int64' | 'float32'; extra?: number } = {}): Uint8Array {
  const g = new GraphBuilder('tokenizer12hz_encode');
  const groups = o.groups ?? 16;
  const type = o.type ?? 'int64';
  const x = g.input(o.input ?? 'input_values', 'float32', [1, 'samples']);
  const n = g.op('Gather', [g.op('Shape', [x]), g.i64([1])], { axis: int(0) });
  const frames = g.op('Add', [g.op('Div', [g.op('Add', [n, g.i64([1919])]), g.i64([1920])]), g.i64([o.extra ?? 0])]);
  const shape = g.op('Concat', [g.i64([1]), frames, g.i64([groups])], { axis: int(0) });
  const value = type === 'int64' ? BigInt64Array.of(3n) : Float32Array.of(3);
  g.output(g.op('ConstantOfShape', [shape], { value: { t: { data: value, dims: [1] } } }), 'audio_codes', type, [1, 'F', groups]);
  return g.build();
}

describe('the optional codec encoder (tokenizer12hz_encode.onnx)', () => {
  const signal = new AbortController().signal;
  const clip = Float32Array.from({ length: 3 * 24000 + 5 }, (_, i) => 0.3 * Math.sin(i / 20));

  it('is loaded and checked when a Base pack lists it: in-context cloning', async () => {
    const dir = join(root, 'with-encoder');
    const manifest = await writeTinyPack(dir);
    expect(manifest.files['tokenizer12hz_encode.onnx']).toMatchObject({ bytes: expect.any(Number) });
    const engine = await load(dir, true);
    try {
      expect(engine.voices.inContext).toBe(true);
      const profile = await engine.createVoice({ kind: 'audio', samples: clip, sampleRate: 24000, transcript: 'hello' }, signal);
      expect(profile.data).toMatchObject({ format: 'in-context', ref_frames: 38, ref_groups: 16 });
    } finally {
      await engine.close();
    }
  });

  it('is not needed: without it a Base pack clones from the x-vector alone', async () => {
    const dir = join(root, 'without-encoder');
    const manifest = await writeTinyPack(dir, { codecEncoder: false });
    expect(manifest.files['tokenizer12hz_encode.onnx']).toBeUndefined();
    const engine = await load(dir, true);
    try {
      expect(engine.voices.inContext).toBe(false);
      const profile = await engine.createVoice({ kind: 'audio', samples: clip, sampleRate: 24000, transcript: 'hello' }, signal);
      expect(profile.data.format).toBe('x-vector');
    } finally {
      await engine.close();
    }
  });

  it('listed but missing', async () => {
    const dir = await brokenPack((d) => unlink(join(d, 'tokenizer12hz_encode.onnx')));
    await expect(load(dir)).rejects.toThrow('model pack: tokenizer12hz_encode.onnx: missing from the pack directory');
  });

  it('a wrong input name', async () => {
    const dir = await brokenPack((d, m) => replaceFile(d, m, 'tokenizer12hz_encode.onnx', encoderGraph({ input: 'audio' })));
    await expect(load(dir)).rejects.toThrow('model pack: tokenizer12hz_encode.onnx: input "input_values" missing (the model has inputs audio)');
  });

  it('codes of the wrong type or for another number of codebooks', async () => {
    const float = await brokenPack((d, m) => replaceFile(d, m, 'tokenizer12hz_encode.onnx', encoderGraph({ type: 'float32' })));
    await expect(load(float)).rejects.toThrow('model pack: tokenizer12hz_encode.onnx: output "audio_codes" has type float32, expected int64');
    const eight = await brokenPack((d, m) => replaceFile(d, m, 'tokenizer12hz_encode.onnx', encoderGraph({ groups: 8 })));
    await expect(load(eight)).rejects.toThrow(
      'model pack: tokenizer12hz_encode.onnx: output "audio_codes" has shape [1,F,8], expected last dimension 16 (num_code_groups 16 from manifest.json)',
    );
  });

  it('an export without padding_mask, returning more frames than the clip fills, is trimmed to the clip', async () => {
    const dir = await brokenPack((d, m) => replaceFile(d, m, 'tokenizer12hz_encode.onnx', encoderGraph({ extra: 2 })));
    const engine = await load(dir);
    try {
      const profile = await engine.createVoice({ kind: 'audio', samples: clip, sampleRate: 24000, transcript: 'hello' }, signal);
      expect(profile.data).toMatchObject({ format: 'in-context', ref_frames: 38 });
      expect(Buffer.from(profile.data.ref_codes as string, 'base64')).toEqual(Buffer.from(new Int16Array(38 * 16).fill(3).buffer));
    } finally {
      await engine.close();
    }
  });
});

it('a sound pack verifies its checksums and loads', async () => {
  const dir = join(root, 'sound');
  await writeTinyPack(dir);
  const engine = await load(dir, true);
  expect(engine.info.id).toBe('qwen3-tts-tiny');
  await engine.close();
});
