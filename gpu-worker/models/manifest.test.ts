import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadQwen3Engine } from '../engines/qwen3/engine.ts';
import { writeTinyPack } from '../engines/qwen3/tiny-pack/generate.ts';
import { buildManifest } from './manifest.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qwen3-manifest-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

it('turns an export directory with the reference config.json into a loadable pack', async () => {
  const dir = join(root, 'export');
  const tiny = await writeTinyPack(dir, { variant: 'CustomVoice' });
  await unlink(join(dir, 'manifest.json'));
  const lang = (code: string) => tiny.languages[code]!;
  // The reference configuration's names and layout, with the tiny model's values.
  const config = {
    tts_model_type: 'custom_voice',
    tts_model_size: '1b7',
    im_start_token_id: tiny.tokens.text.im_start,
    im_end_token_id: tiny.tokens.text.im_end,
    tts_pad_token_id: tiny.tokens.text.tts_pad,
    tts_bos_token_id: tiny.tokens.text.tts_bos,
    tts_eos_token_id: tiny.tokens.text.tts_eos,
    talker_config: {
      hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8,
      vocab_size: 96, num_code_groups: 16,
      codec_eos_token_id: tiny.tokens.codec.eos, codec_think_id: tiny.tokens.codec.think, codec_nothink_id: tiny.tokens.codec.nothink,
      codec_think_bos_id: tiny.tokens.codec.think_bos, codec_think_eos_id: tiny.tokens.codec.think_eos,
      codec_pad_id: tiny.tokens.codec.pad, codec_bos_id: tiny.tokens.codec.bos,
      codec_language_id: { english: lang('en'), chinese: lang('zh'), german: lang('de'), sichuan_dialect: 74 },
      spk_id: { vivian: 88, Eric: [90] },
      spk_is_dialect: { vivian: false, Eric: 'sichuan_dialect' },
      code_predictor_config: { vocab_size: 64 },
    },
    speaker_encoder_config: { mel_dim: 128 },
  };
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
    for await (const c of engine.synthesize(request, new AbortController().signal)) chunks.push(c);
    expect(chunks.reduce((n, c) => n + c.length, 0) % 1920).toBe(0);
    expect(chunks.length).toBeGreaterThan(0);
  } finally {
    await engine.close();
  }
});

it('says what is missing when the directory has no reference config', async () => {
  await expect(buildManifest(join(root, 'empty'), { id: 'x' })).rejects.toThrow(/config\.json not found/);
});
