import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadQwen3Engine } from '../engines/qwen3/engine.ts';
import type { Manifest } from '../engines/qwen3/pack.ts';
import { writeTinyPack } from '../engines/qwen3/tiny-pack/generate.ts';
import { buildManifest } from './manifest.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-manifest-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The reference configuration's names and layout, with a tiny pack's values. */
function referenceConfig(tiny: Manifest, type: 'base' | 'custom_voice', size: string) {
  const lang = (code: string) => tiny.languages[code]!;
  return {
    tts_model_type: type,
    tts_model_size: size,
    im_start_token_id: tiny.tokens.text.im_start,
    im_end_token_id: tiny.tokens.text.im_end,
    tts_pad_token_id: tiny.tokens.text.tts_pad,
    tts_bos_token_id: tiny.tokens.text.tts_bos,
    tts_eos_token_id: tiny.tokens.text.tts_eos,
    talker_config: {
      hidden_size: tiny.dims.hidden_size, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8,
      vocab_size: 96, num_code_groups: 16,
      codec_eos_token_id: tiny.tokens.codec.eos, codec_think_id: tiny.tokens.codec.think, codec_nothink_id: tiny.tokens.codec.nothink,
      codec_think_bos_id: tiny.tokens.codec.think_bos, codec_think_eos_id: tiny.tokens.codec.think_eos,
      codec_pad_id: tiny.tokens.codec.pad, codec_bos_id: tiny.tokens.codec.bos,
      codec_language_id: { english: lang('en'), chinese: lang('zh'), german: lang('de'), sichuan_dialect: 74 },
      ...(type === 'custom_voice'
        ? { spk_id: { vivian: 88, Eric: [90] }, spk_is_dialect: { vivian: false, Eric: 'sichuan_dialect' } }
        : {}),
      code_predictor_config: { vocab_size: 64 },
    },
    speaker_encoder_config: { mel_dim: 128 },
  };
}

it('turns an export directory with the reference config.json into a loadable pack', async () => {
  const dir = join(root, 'export');
  const tiny = await writeTinyPack(dir, { variant: 'CustomVoice' });
  await unlink(join(dir, 'manifest.json'));
  const lang = (code: string) => tiny.languages[code]!;
  const config = referenceConfig(tiny, 'custom_voice', '1b7');
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  await writeFile(join(dir, 'generation_config.json'), JSON.stringify({ top_k: 30, temperature: 0.8, max_new_tokens: 1000 }));

  const manifest = await buildManifest(dir, { id: 'qwen3-tts-1.7b-customvoice' });
  expect(manifest).toMatchObject({
    variant: 'CustomVoice',
    instructions: true,
    languages: { en: lang('en'), zh: lang('zh'), de: lang('de') },
    dims: { hidden_size: 32, num_layers: 2, num_kv_heads: 2, head_dim: 8, codec_vocab_size: 96, codebook_size: 64, num_code_groups: 16 },
    generation: { top_k: 30, temperature: 0.8, max_frames: 1000, top_p: 1 },
  });
  expect(manifest.speakers).toEqual([
    { id: 'vivian', name: 'Vivian', gender: 'female', language: 'zh', description: expect.any(String), codec_id: 88 },
    { id: 'eric', name: 'Eric', gender: 'male', language: 'zh', description: expect.any(String), codec_id: 90, dialect_codec_id: 74 },
  ]);
  expect(Object.keys(manifest.files)).toContain('talker_decode.onnx');
  expect(Object.keys(manifest.files)).toContain('config.json');

  const engine = await loadQwen3Engine(dir, { warmUp: false, verifyChecksums: true });
  try {
    expect(engine.info.id).toBe('qwen3-tts-1.7b-customvoice');
    expect(engine.info.languages).toEqual(['en', 'zh', 'de']);
    const chunks: Float32Array[] = [];
    const request = { requestId: 'm', text: 'Hello there.', voice: { kind: 'preset' as const, id: 'eric' }, language: 'zh', speed: 1, seed: 1 };
    for await (const c of engine.synthesize(request, new AbortController().signal)) chunks.push(c.audio);
    expect(chunks.reduce((n, c) => n + c.length, 0) % 1920).toBe(0);
    expect(chunks.length).toBeGreaterThan(0);
  } finally {
    await engine.close();
  }
});

it('lists the codec encoder of a Base export when the directory has it (in-context cloning)', async () => {
  const dir = join(root, 'base-export');
  const tiny = await writeTinyPack(dir);
  await unlink(join(dir, 'manifest.json'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(referenceConfig(tiny, 'base', '0b6')));
  const withEncoder = await buildManifest(dir, { id: 'qwen3-tts-0.6b-base' });
  expect(withEncoder.variant).toBe('Base');
  expect(withEncoder.files['tokenizer12hz_encode.onnx']).toEqual(tiny.files['tokenizer12hz_encode.onnx']);
  const engine = await loadQwen3Engine(dir, { warmUp: false, verifyChecksums: true });
  try {
    expect(engine.voices.inContext).toBe(true);
  } finally {
    await engine.close();
  }

  await unlink(join(dir, 'tokenizer12hz_encode.onnx'));
  const without = await buildManifest(dir, { id: 'qwen3-tts-0.6b-base' });
  expect(without.files['tokenizer12hz_encode.onnx']).toBeUndefined();
  const plain = await loadQwen3Engine(dir, { warmUp: false });
  try {
    expect(plain.voices.inContext).toBe(false);
  } finally {
    await plain.close();
  }
});

it('says what is missing when the directory has no reference config', async () => {
  await expect(buildManifest(join(root, 'empty'), { id: 'x' })).rejects.toThrow(/config\.json not found/);
});
