/**
 * Writes a tiny Qwen3-TTS pack: the real export's file names, inputs and outputs, small
 * dimensions, fixed random weights, and a deterministic end of speech (a text of n tokens yields
 * max(n, 2) frames; see models.ts). Tests build it fresh; `npm run tiny-pack -- <dir>` writes one.
 *
 *   npm run tiny-pack -- <dir> [--variant Base|CustomVoice|VoiceDesign] [--eos text|never]
 *                              [--dims tiny|0.6b] [--hidden-size N] [--layers N] [--seed N]
 *                              [--kv float32|float16] [--id ID] [--no-codec-encoder]
 *
 * `--dims 0.6b` keeps the real 0.6B widths (hidden 1024, 8 KV heads of 128, codec vocabulary
 * 3,072, 2,048 codes) with few layers: what bench/ measures per-frame costs on. `--hidden-size`
 * changes only the talker width (tiny: 32), as 0.6B and 1.7B differ: voices cloned on one pack
 * do not fit the other. Base packs get the codec encoder (in-context cloning) unless told not to.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LANGUAGES } from '../../../../shared/languages.ts';
import { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest } from '../pack.ts';
import { buildTinyModels, type TinyDims } from './models.ts';
import { tinyVocabulary } from './tokenizer-files.ts';

export type Variant = Manifest['variant'];

export interface TinyPackOptions {
  variant?: Variant;
  eos?: 'text' | 'never';
  dims?: 'tiny' | '0.6b';
  /** Talker hidden size (tiny 32, 0.6B 1024): the x-vector's length, so voices do not cross packs of different widths. */
  hiddenSize?: number;
  /** Base packs: write tokenizer12hz_encode.onnx (default true). */
  codecEncoder?: boolean;
  /** Talker layers (the real 0.6B has 28). */
  layers?: number;
  /** Code predictor layers (the real one has 5); bench/ uses 1 to keep CPU runs short. */
  predictorLayers?: number;
  seed?: number;
  id?: string;
  /** Talker KV cache element type. */
  kvType?: 'float32' | 'float16';
}

const MERGES = 40;

function dimsFor(o: TinyPackOptions, textVocabSize: number): TinyDims {
  const { layers, predictorLayers } = o;
  if (o.hiddenSize !== undefined && !(Number.isInteger(o.hiddenSize) && o.hiddenSize > 0)) throw new Error(`tiny-pack: hidden size ${o.hiddenSize} is not a positive integer`);
  if (o.dims === '0.6b') {
    return {
      hiddenSize: o.hiddenSize ?? 1024, numLayers: layers ?? 2, numHeads: 16, numKvHeads: 8, headDim: 128, intermediateSize: 3072,
      textVocabSize, codecVocabSize: 3072, codebookSize: 2048, numCodeGroups: 16,
      predictorHiddenSize: 1024, predictorHeads: 16, predictorLayers: predictorLayers ?? 5,
      codecChannels: 16, codecKernel: 3, samplesPerFrame: 1920, melBins: 128,
    };
  }
  return {
    hiddenSize: o.hiddenSize ?? 32, numLayers: layers ?? 2, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 64,
    textVocabSize, codecVocabSize: 96, codebookSize: 64, numCodeGroups: 16,
    predictorHiddenSize: 16, predictorHeads: 2, predictorLayers: predictorLayers ?? 1,
    codecChannels: 16, codecKernel: 3, samplesPerFrame: 1920, melBins: 128,
  };
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export async function writeTinyPack(dir: string, options: TinyPackOptions = {}): Promise<Manifest> {
  const variant = options.variant ?? 'Base';
  const seed = options.seed ?? 1234;
  const { vocab, merges } = tinyVocabulary(MERGES);
  const base = Object.keys(vocab).length;
  const text = { im_start: base, im_end: base + 1, tts_pad: base + 2, tts_bos: base + 3, tts_eos: base + 4 };
  const dims = dimsFor(options, base + 5);
  // Control tokens sit above the codes, in the real export's order (language ids first).
  const c0 = dims.codebookSize;
  const codec = { pad: c0 + 16, bos: c0 + 17, eos: c0 + 18, think: c0 + 20, nothink: c0 + 21, think_bos: c0 + 22, think_eos: c0 + 23 };
  const languageCodes = Object.keys(LANGUAGES).filter((code) => code !== 'ar');
  const languages = Object.fromEntries(languageCodes.map((code, i) => [code, c0 + i]));

  const models = buildTinyModels({
    dims,
    seed,
    codecEosId: codec.eos,
    markerTextIds: [text.tts_pad, text.tts_eos],
    eos: options.eos ?? 'text',
    kvType: options.kvType ?? 'float32',
  });
  if (variant !== 'Base') delete models['speaker_encoder.onnx'];
  if (variant !== 'Base' || options.codecEncoder === false) delete models['tokenizer12hz_encode.onnx'];

  const files: Record<string, Uint8Array> = { ...models };
  files['vocab.json'] = new TextEncoder().encode(JSON.stringify(vocab));
  files['merges.txt'] = new TextEncoder().encode(`#version: 0.2\n${merges.join('\n')}\n`);
  if (variant === 'Base') {
    const voice = Float32Array.from({ length: dims.hiddenSize }, (_, i) => Math.sin(i * 0.7 + seed) * 0.5);
    files['default_voice.f32'] = new Uint8Array(voice.buffer);
  }

  await mkdir(dir, { recursive: true });
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data);

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    id: options.id ?? (variant === 'Base' ? 'qwen3-tts-tiny' : `qwen3-tts-tiny-${variant.toLowerCase()}`),
    description: `Tiny Qwen3-TTS ${variant} pack with random weights, for tests and benchmarks (not speech).`,
    variant,
    size: options.dims === '0.6b' ? `0.6B-widths-${dims.numLayers}-layers` : 'tiny',
    languages,
    speakers:
      variant === 'CustomVoice'
        ? [
            { id: 'vivian', name: 'Vivian', gender: 'female', language: 'zh', codec_id: c0 + 24 },
            { id: 'ryan', name: 'Ryan', gender: 'male', language: 'en', codec_id: c0 + 25 },
            { id: 'eric', name: 'Eric', gender: 'male', language: 'zh', codec_id: c0 + 26, dialect_codec_id: c0 + 10, description: 'Sichuan dialect' },
          ]
        : [],
    ...(variant === 'Base' ? { default_voice_file: 'default_voice.f32' } : {}),
    instructions: variant !== 'Base',
    dims: {
      hidden_size: dims.hiddenSize,
      num_layers: dims.numLayers,
      num_kv_heads: dims.numKvHeads,
      head_dim: dims.headDim,
      codec_vocab_size: dims.codecVocabSize,
      codebook_size: dims.codebookSize,
      num_code_groups: dims.numCodeGroups,
      mel_bins: dims.melBins,
    },
    codec: { sample_rate: 24000, samples_per_frame: dims.samplesPerFrame, left_context_frames: 25 },
    tokens: { text, codec },
    generation: {
      temperature: 0.9, top_k: 50, top_p: 1, repetition_penalty: 1.05,
      subtalker_temperature: 0.9, subtalker_top_k: 50, subtalker_top_p: 1,
      min_frames: 2, max_frames: 2048, max_frames_per_text_token: 15, max_frames_extra: 50,
    },
    files: Object.fromEntries(
      Object.entries(files)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, data]) => [name, { sha256: sha256(data), bytes: data.byteLength }]),
    ),
  };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      variant: { type: 'string', default: 'Base' },
      eos: { type: 'string', default: 'text' },
      dims: { type: 'string', default: 'tiny' },
      'hidden-size': { type: 'string' },
      'no-codec-encoder': { type: 'boolean', default: false },
      layers: { type: 'string' },
      seed: { type: 'string' },
      id: { type: 'string' },
      kv: { type: 'string', default: 'float32' },
    },
  });
  const dir = positionals[0];
  if (!dir) {
    console.error(
      'usage: npm run tiny-pack -- <dir> [--variant Base|CustomVoice|VoiceDesign] [--eos text|never] [--dims tiny|0.6b] [--hidden-size N] ' +
        '[--layers N] [--seed N] [--kv float32|float16] [--id ID] [--no-codec-encoder]',
    );
    process.exit(2);
  }
  const manifest = await writeTinyPack(dir, {
    variant: values.variant as Variant,
    eos: values.eos as 'text' | 'never',
    dims: values.dims as 'tiny' | '0.6b',
    ...(values['hidden-size'] ? { hiddenSize: Number(values['hidden-size']) } : {}),
    codecEncoder: !values['no-codec-encoder'],
    ...(values.layers ? { layers: Number(values.layers) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.id ? { id: values.id } : {}),
    kvType: values.kv as 'float32' | 'float16',
  });
  console.log(`wrote ${manifest.id} (${manifest.variant}, ${manifest.dims.num_layers} layers, hidden ${manifest.dims.hidden_size}) to ${dir}`);
}

if (import.meta.filename === process.argv[1]) await main();
