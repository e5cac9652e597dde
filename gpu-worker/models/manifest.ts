/**
 * `models manifest <dir>`: turns a directory holding the public ONNX export of a Qwen3-TTS model
 * (the files of DESIGN.md's table, the Qwen tokenizer files and the model's `config.json`, plus
 * `generation_config.json` if present) into a pack, by writing `manifest.json`: dimensions,
 * special tokens, languages and preset speakers read from the reference configuration, and the
 * size and sha256 of every file. This is how a pack for `models pull` is prepared. Every file of
 * the directory is listed, so a Base export's codec encoder (`tokenizer12hz_encode.onnx`, for
 * in-context cloning) is in the pack exactly when the directory has it.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { MANIFEST_FILE, MANIFEST_FORMAT, ManifestSchema, sha256File, type Manifest } from '../engines/qwen3/pack.ts';

const id = z.union([z.number().int(), z.array(z.number().int()).length(1).transform((a) => a[0]!)]);

/** The parts of the reference `config.json` the engine needs (names as the reference writes them). */
const ReferenceConfigSchema = z.object({
  tts_model_type: z.enum(['base', 'custom_voice', 'voice_design']),
  tts_model_size: z.string().optional(),
  im_start_token_id: z.number().int().default(151644),
  im_end_token_id: z.number().int().default(151645),
  tts_pad_token_id: z.number().int().default(151671),
  tts_bos_token_id: z.number().int().default(151672),
  tts_eos_token_id: z.number().int().default(151673),
  talker_config: z.object({
    hidden_size: z.number().int(),
    num_hidden_layers: z.number().int(),
    num_attention_heads: z.number().int(),
    num_key_value_heads: z.number().int(),
    head_dim: z.number().int().optional(),
    vocab_size: z.number().int(),
    num_code_groups: z.number().int(),
    codec_eos_token_id: z.number().int(),
    codec_think_id: z.number().int(),
    codec_nothink_id: z.number().int(),
    codec_think_bos_id: z.number().int(),
    codec_think_eos_id: z.number().int(),
    codec_pad_id: z.number().int(),
    codec_bos_id: z.number().int(),
    codec_language_id: z.record(z.string(), z.number().int()),
    spk_id: z.record(z.string(), id).nullish(),
    spk_is_dialect: z.record(z.string(), z.union([z.string(), z.literal(false)])).nullish(),
    code_predictor_config: z.object({ vocab_size: z.number().int() }),
  }),
  speaker_encoder_config: z.object({ mel_dim: z.number().int().default(128) }).default({ mel_dim: 128 }),
});

const GenerationConfigSchema = z
  .object({
    top_k: z.number().int(),
    top_p: z.number(),
    temperature: z.number(),
    repetition_penalty: z.number(),
    subtalker_top_k: z.number().int(),
    subtalker_top_p: z.number(),
    subtalker_temperature: z.number(),
    max_new_tokens: z.number().int(),
  })
  .partial();

/** The reference names languages in English; the API uses ISO 639-1. */
const LANGUAGE_CODES: Record<string, string> = {
  english: 'en', chinese: 'zh', japanese: 'ja', korean: 'ko', german: 'de',
  french: 'fr', russian: 'ru', portuguese: 'pt', spanish: 'es', italian: 'it',
};

/** The CustomVoice presets as the model card describes them (the config has only names and ids). */
const KNOWN_SPEAKERS: Record<string, { gender: 'male' | 'female'; language: string; description: string }> = {
  serena: { gender: 'female', language: 'zh', description: 'Warm, gentle young female voice' },
  vivian: { gender: 'female', language: 'zh', description: 'Bright, edgy young female voice' },
  uncle_fu: { gender: 'male', language: 'zh', description: 'Seasoned male voice, low and mellow' },
  dylan: { gender: 'male', language: 'zh', description: 'Youthful Beijing male voice' },
  eric: { gender: 'male', language: 'zh', description: 'Lively Sichuan male voice, slightly husky' },
  ryan: { gender: 'male', language: 'en', description: 'Dynamic male voice' },
  aiden: { gender: 'male', language: 'en', description: 'Sunny American male voice' },
  ono_anna: { gender: 'female', language: 'ja', description: 'Playful Japanese female voice' },
  sohee: { gender: 'female', language: 'ko', description: 'Warm Korean female voice' },
};

const VARIANTS = { base: 'Base', custom_voice: 'CustomVoice', voice_design: 'VoiceDesign' } as const;

export interface ManifestOptions {
  id: string;
  description?: string;
  /** The 12 Hz codec's facts (reference configuration). */
  sampleRate?: number;
  samplesPerFrame?: number;
  leftContextFrames?: number;
}

async function listFiles(dir: string, under = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(under, { withFileTypes: true })) {
    const path = join(under, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(dir, path)));
    else if (entry.isFile() && entry.name !== MANIFEST_FILE && !entry.name.endsWith('.part')) out.push(relative(dir, path));
  }
  return out.sort();
}

export async function buildManifest(dir: string, o: ManifestOptions): Promise<Manifest> {
  const configText = await readFile(join(dir, 'config.json'), 'utf8').catch(() => {
    throw new Error(`models manifest: ${join(dir, 'config.json')} not found (the model's reference configuration is needed)`);
  });
  const parsed = ReferenceConfigSchema.safeParse(JSON.parse(configText));
  if (!parsed.success) {
    throw new Error(`models manifest: config.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const c = parsed.data;
  const t = c.talker_config;
  const generationText = await readFile(join(dir, 'generation_config.json'), 'utf8').catch(() => '{}');
  const gen = GenerationConfigSchema.parse(JSON.parse(generationText));
  const variant = VARIANTS[c.tts_model_type];
  const languages = Object.fromEntries(
    Object.entries(t.codec_language_id)
      .filter(([name]) => LANGUAGE_CODES[name])
      .map(([name, codecId]) => [LANGUAGE_CODES[name]!, codecId]),
  );
  const speakers = Object.entries(t.spk_id ?? {}).map(([name, codecId]) => {
    const known = KNOWN_SPEAKERS[name.toLowerCase()];
    const dialect = t.spk_is_dialect?.[name];
    const dialectId = typeof dialect === 'string' ? t.codec_language_id[dialect] : undefined;
    return {
      id: name.toLowerCase(),
      name: name.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '),
      gender: known?.gender ?? ('neutral' as const),
      language: known?.language ?? 'zh',
      ...(known ? { description: known.description } : {}),
      codec_id: codecId,
      ...(dialectId !== undefined ? { dialect_codec_id: dialectId } : {}),
    };
  });
  const files: Manifest['files'] = {};
  for (const file of await listFiles(dir)) {
    const path = join(dir, file);
    files[file] = { sha256: await sha256File(path), bytes: (await stat(path)).size };
  }
  const small = (c.tts_model_size ?? '').toLowerCase() === '0b6';
  const manifest = {
    format: MANIFEST_FORMAT,
    id: o.id,
    description: o.description ?? `Qwen3-TTS ${c.tts_model_size ?? ''} ${variant} (ONNX)`.replace(/\s+/g, ' '),
    variant,
    size: c.tts_model_size ?? 'unknown',
    languages,
    speakers,
    // The reference ignores instructions on the 0.6B CustomVoice model.
    instructions: variant === 'VoiceDesign' || (variant === 'CustomVoice' && !small),
    dims: {
      hidden_size: t.hidden_size,
      num_layers: t.num_hidden_layers,
      num_kv_heads: t.num_key_value_heads,
      head_dim: t.head_dim ?? t.hidden_size / t.num_attention_heads,
      codec_vocab_size: t.vocab_size,
      codebook_size: t.code_predictor_config.vocab_size,
      num_code_groups: t.num_code_groups,
      mel_bins: c.speaker_encoder_config.mel_dim,
    },
    codec: {
      sample_rate: o.sampleRate ?? 24000,
      samples_per_frame: o.samplesPerFrame ?? 1920,
      left_context_frames: o.leftContextFrames ?? 25,
    },
    tokens: {
      text: { im_start: c.im_start_token_id, im_end: c.im_end_token_id, tts_pad: c.tts_pad_token_id, tts_bos: c.tts_bos_token_id, tts_eos: c.tts_eos_token_id },
      codec: {
        pad: t.codec_pad_id, bos: t.codec_bos_id, eos: t.codec_eos_token_id, think: t.codec_think_id,
        nothink: t.codec_nothink_id, think_bos: t.codec_think_bos_id, think_eos: t.codec_think_eos_id,
      },
    },
    generation: {
      temperature: gen.temperature ?? 0.9,
      top_k: gen.top_k ?? 50,
      top_p: gen.top_p ?? 1,
      repetition_penalty: gen.repetition_penalty ?? 1.05,
      subtalker_temperature: gen.subtalker_temperature ?? 0.9,
      subtalker_top_k: gen.subtalker_top_k ?? 50,
      subtalker_top_p: gen.subtalker_top_p ?? 1,
      min_frames: 2,
      max_frames: gen.max_new_tokens ?? 2048,
      max_frames_per_text_token: 15,
      max_frames_extra: 50,
    },
    files,
  };
  const checked = ManifestSchema.safeParse(manifest);
  if (!checked.success) {
    throw new Error(`models manifest: the result is not a valid manifest: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(checked.data, null, 2)}\n`);
  return checked.data;
}
