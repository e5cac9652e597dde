/**
 * A Qwen3-TTS model pack: a directory with the ONNX files of the export, the tokenizer files and
 * `manifest.json`. Every size the engine uses comes from the manifest, so the same code serves
 * 0.6B, 1.7B and the tiny test pack. Validation happens at start-up and names the file at fault.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { InferenceSession } from 'onnxruntime-node';
import { LANGUAGES } from '../../../shared/languages.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'qwen3-tts-onnx/1';

/**
 * The ONNX files of the export (DESIGN.md's table). The speaker encoder ships with Base packs
 * only; the codec encoder is optional (see OPTIONAL_ONNX_FILES).
 */
export const ONNX_FILES = [
  'text_project.onnx',
  'codec_embed.onnx',
  'code_predictor_embed.onnx',
  'talker_prefill.onnx',
  'talker_decode.onnx',
  'code_predictor.onnx',
  'tokenizer12hz_decode.onnx',
  'speaker_encoder.onnx',
  'tokenizer12hz_encode.onnx',
] as const;
export type OnnxFile = (typeof ONNX_FILES)[number];

/**
 * Files a Base pack may add: loaded (and checked like the others) when the manifest lists them.
 * The codec encoder turns reference audio into codes for in-context cloning; without it a Base
 * pack clones from the x-vector alone.
 */
export const OPTIONAL_ONNX_FILES = ['tokenizer12hz_encode.onnx'] as const satisfies readonly OnnxFile[];
type OptionalOnnxFile = (typeof OPTIONAL_ONNX_FILES)[number];
const isOptional = (f: OnnxFile): f is OptionalOnnxFile => (OPTIONAL_ONNX_FILES as readonly OnnxFile[]).includes(f);

const int = () => z.number().int();
const positive = () => z.number().int().positive();

const FileEntrySchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256'),
  bytes: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

const SpeakerSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  gender: z.enum(['male', 'female', 'neutral']),
  language: z.string(),
  description: z.string().optional(),
  /** The codec token whose embedding is the speaker slot of the prompt. */
  codec_id: int(),
  /** Dialect speakers (e.g. Sichuanese) replace the language token when speaking Chinese. */
  dialect_codec_id: int().optional(),
});
export type Speaker = z.infer<typeof SpeakerSchema>;

const QWEN_LANGUAGES = Object.keys(LANGUAGES).filter((code) => code !== 'ar');

export const ManifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase model id such as qwen3-tts-0.6b-base'),
    description: z.string(),
    variant: z.enum(['Base', 'CustomVoice', 'VoiceDesign']),
    size: z.string(),
    /** ISO 639-1 code to the codec language token. */
    languages: z.record(z.string(), int()).refine((langs) => Object.keys(langs).length > 0, 'no languages'),
    speakers: z.array(SpeakerSchema).default([]),
    /** Base packs: a raw little-endian float32 x-vector (hidden_size values) used when no voice is cloned. */
    default_voice_file: z.string().optional(),
    /** Whether the talker takes a style instruction (CustomVoice 1.7B) or a voice description (VoiceDesign). */
    instructions: z.boolean(),
    dims: z.object({
      hidden_size: positive(),
      num_layers: positive(),
      num_kv_heads: positive(),
      head_dim: positive(),
      codec_vocab_size: positive(),
      codebook_size: positive(),
      num_code_groups: positive(),
      mel_bins: positive(),
    }),
    codec: z.object({
      sample_rate: positive(),
      samples_per_frame: positive(),
      /** Frames of left context the causal decoder needs for chunked decoding to equal a full decode. */
      left_context_frames: positive(),
    }),
    tokens: z.object({
      text: z.object({ im_start: int(), im_end: int(), tts_pad: int(), tts_bos: int(), tts_eos: int() }),
      codec: z.object({
        pad: int(),
        bos: int(),
        eos: int(),
        think: int(),
        nothink: int(),
        think_bos: int(),
        think_eos: int(),
      }),
    }),
    generation: z.object({
      temperature: z.number().positive(),
      top_k: int().nonnegative(),
      top_p: z.number().gt(0).max(1),
      repetition_penalty: z.number().positive(),
      subtalker_temperature: z.number().positive(),
      subtalker_top_k: int().nonnegative(),
      subtalker_top_p: z.number().gt(0).max(1),
      /** EOS is masked for the first frames, as the reference's min_new_tokens. */
      min_frames: int().nonnegative(),
      /** Hard cap, and the per-text-token budget: max frames = min(max_frames, extra + per_token * tokens). */
      max_frames: positive(),
      max_frames_per_text_token: z.number().positive(),
      max_frames_extra: int().nonnegative(),
    }),
    files: z.record(z.string(), FileEntrySchema),
  })
  .superRefine((m, ctx) => {
    for (const code of Object.keys(m.languages)) {
      if (!QWEN_LANGUAGES.includes(code)) {
        ctx.addIssue({ code: 'custom', path: ['languages', code], message: `unsupported language "${code}" (Qwen3-TTS speaks ${QWEN_LANGUAGES.join(', ')})` });
      }
    }
    const inVocab = (id: number) => id >= 0 && id < m.dims.codec_vocab_size;
    for (const [k, id] of Object.entries(m.tokens.codec)) {
      if (!inVocab(id)) ctx.addIssue({ code: 'custom', path: ['tokens', 'codec', k], message: `id ${id} outside the codec vocabulary (${m.dims.codec_vocab_size})` });
    }
    for (const s of m.speakers) {
      if (!inVocab(s.codec_id)) ctx.addIssue({ code: 'custom', path: ['speakers', s.id], message: `codec_id ${s.codec_id} outside the codec vocabulary` });
    }
    if (m.variant === 'CustomVoice' && m.speakers.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['speakers'], message: 'a CustomVoice pack needs preset speakers' });
    }
    if (m.tokens.codec.eos < m.dims.codebook_size) {
      ctx.addIssue({ code: 'custom', path: ['tokens', 'codec', 'eos'], message: 'codec eos must be a control token (>= codebook_size)' });
    }
  });
export type Manifest = z.infer<typeof ManifestSchema>;

/** Start-up failure of a pack: always names the file and what is wrong with it. */
export class PackError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`model pack: ${file}: ${problem}`);
    this.name = 'PackError';
    this.file = file;
  }
}

export async function readManifest(dir: string): Promise<Manifest> {
  let raw: string;
  try {
    raw = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new PackError(join(dir, MANIFEST_FILE), 'missing (is this a model pack directory?)');
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new PackError(MANIFEST_FILE, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new PackError(MANIFEST_FILE, `invalid: ${issues}`);
  }
  return parsed.data;
}

/** The ONNX files this pack's variant needs (the speaker encoder only where cloning exists). */
export function requiredOnnxFiles(manifest: Manifest): OnnxFile[] {
  return ONNX_FILES.filter((f) => !isOptional(f) && (f !== 'speaker_encoder.onnx' || manifest.variant === 'Base'));
}

/** The ONNX files to load: the required ones, plus the optional ones a Base pack lists (only Base clones). */
export function packOnnxFiles(manifest: Manifest): OnnxFile[] {
  const optional = manifest.variant === 'Base' ? OPTIONAL_ONNX_FILES.filter((f) => manifest.files[f]) : [];
  return [...requiredOnnxFiles(manifest), ...optional];
}

/** The tokenizer files in the pack: tokenizer.json, or the Qwen2 pair vocab.json + merges.txt. */
export function tokenizerFiles(manifest: Manifest): string[] {
  if (manifest.files['tokenizer.json']) return ['tokenizer.json'];
  return ['vocab.json', 'merges.txt'];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks that every file the pack needs is listed, present and of the listed size, and (when
 * asked: it reads gigabytes on a real pack) that its sha256 matches.
 */
export async function checkPackFiles(dir: string, manifest: Manifest, verifyChecksums: boolean): Promise<void> {
  const needed = [...requiredOnnxFiles(manifest), ...tokenizerFiles(manifest)];
  if (manifest.default_voice_file) needed.push(manifest.default_voice_file);
  for (const file of needed) {
    if (!manifest.files[file]) throw new PackError(file, `not listed in ${MANIFEST_FILE} "files"`);
  }
  for (const [file, entry] of Object.entries(manifest.files)) {
    const path = join(dir, file);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      throw new PackError(file, 'missing from the pack directory');
    }
    if (size !== entry.bytes) throw new PackError(file, `size ${size} bytes, manifest says ${entry.bytes}`);
    if (verifyChecksums) {
      const actual = await sha256File(path);
      if (actual !== entry.sha256) throw new PackError(file, `sha256 ${actual} does not match the manifest (${entry.sha256})`);
    }
  }
}

// --- ONNX input/output contract -------------------------------------------------------------

/** An expected tensor: its element types and shape; `null` = any size (dynamic axis). */
interface TensorSpec {
  name: string;
  types: readonly string[];
  shape: readonly (number | null)[];
  /** Why a dimension has its value, for the error message. */
  why?: string;
}

interface SessionSpec {
  inputs: TensorSpec[];
  /** Inputs some exports have and others not; checked where present. */
  optionalInputs?: TensorSpec[];
  /** Outputs are checked by name, element type where given, and last dimension: exports differ in leading axes. */
  outputs: { name: string; types?: readonly string[]; lastDim?: number; why?: string }[];
  /** Outputs read by position rather than name (the speaker encoder's one output). */
  positionalOutput?: { lastDim: number; why: string };
}

const F32 = ['float32'] as const;
const I64 = ['int64'] as const;
/** The KV cache passes through JS untouched, so a float16 cache is fine (and halves the bytes). */
const KV_TYPES = ['float32', 'float16'] as const;

export function sessionSpecs(manifest: Manifest): Record<OnnxFile, SessionSpec> {
  const d = manifest.dims;
  const H = { why: `hidden_size ${d.hidden_size}` };
  const kvSpecs = (prefix: string): TensorSpec[] =>
    Array.from({ length: d.num_layers }, (_, i) => [
      { name: `${prefix}_key_${i}`, types: KV_TYPES, shape: [1, d.num_kv_heads, null, d.head_dim], why: `num_kv_heads ${d.num_kv_heads}, head_dim ${d.head_dim}` },
      { name: `${prefix}_value_${i}`, types: KV_TYPES, shape: [1, d.num_kv_heads, null, d.head_dim], why: `num_kv_heads ${d.num_kv_heads}, head_dim ${d.head_dim}` },
    ]).flat();
  const talkerOutputs = [
    { name: 'logits', lastDim: d.codec_vocab_size, why: `codec_vocab_size ${d.codec_vocab_size}` },
    { name: 'last_hidden', lastDim: d.hidden_size, ...H },
    ...kvSpecs('present').map((s) => ({ name: s.name, lastDim: d.head_dim, why: `head_dim ${d.head_dim}` })),
  ];
  return {
    'text_project.onnx': {
      inputs: [{ name: 'input_ids', types: I64, shape: [1, null] }],
      outputs: [{ name: 'embeds', lastDim: d.hidden_size, ...H }],
    },
    'codec_embed.onnx': {
      inputs: [{ name: 'input_ids', types: I64, shape: [1, null] }],
      outputs: [{ name: 'embeds', lastDim: d.hidden_size, ...H }],
    },
    'code_predictor_embed.onnx': {
      inputs: [
        { name: 'input_ids', types: I64, shape: [1, 1] },
        { name: 'generation_step', types: I64, shape: [1] },
      ],
      outputs: [{ name: 'embeds', lastDim: d.hidden_size, ...H }],
    },
    'talker_prefill.onnx': {
      inputs: [
        { name: 'inputs_embeds', types: F32, shape: [1, null, d.hidden_size], ...H },
        { name: 'attention_mask', types: I64, shape: [1, null] },
      ],
      outputs: talkerOutputs,
    },
    'talker_decode.onnx': {
      inputs: [
        { name: 'inputs_embeds', types: F32, shape: [1, 1, d.hidden_size], ...H },
        { name: 'attention_mask', types: I64, shape: [1, null] },
        ...kvSpecs('past'),
      ],
      outputs: talkerOutputs,
    },
    'code_predictor.onnx': {
      inputs: [
        { name: 'inputs_embeds', types: F32, shape: [1, null, d.hidden_size], ...H },
        { name: 'generation_step', types: I64, shape: [1] },
      ],
      outputs: [{ name: 'logits', lastDim: d.codebook_size, why: `codebook_size ${d.codebook_size}` }],
    },
    'tokenizer12hz_decode.onnx': {
      inputs: [{ name: 'audio_codes', types: I64, shape: [1, null, d.num_code_groups], why: `num_code_groups ${d.num_code_groups}` }],
      outputs: [{ name: 'audio_values' }, { name: 'lengths' }],
    },
    'speaker_encoder.onnx': {
      inputs: [{ name: 'mel', types: F32, shape: [1, null, d.mel_bins], why: `mel_bins ${d.mel_bins}` }],
      outputs: [],
      positionalOutput: { lastDim: d.hidden_size, why: `the x-vector goes in the talker prompt: hidden_size ${d.hidden_size}` },
    },
    // As the public export names it (the reference's encode(input_values, padding_mask)); the
    // mask is all ones for one unpadded clip, so graphs without it are accepted too.
    'tokenizer12hz_encode.onnx': {
      inputs: [{ name: 'input_values', types: F32, shape: [1, null] }],
      optionalInputs: [{ name: 'padding_mask', types: I64, shape: [1, null] }],
      outputs: [{ name: 'audio_codes', types: I64, lastDim: d.num_code_groups, why: `num_code_groups ${d.num_code_groups}` }],
    },
  };
}

type Meta = InferenceSession['inputMetadata'][number];

const fmtShape = (shape: readonly (number | string | null)[]) => `[${shape.map((d) => d ?? '?').join(',')}]`;

function checkShape(file: string, kind: string, meta: Meta, spec: TensorSpec): void {
  if (!meta.isTensor) throw new PackError(file, `${kind} "${spec.name}" is not a tensor`);
  if (!spec.types.includes(meta.type)) {
    throw new PackError(file, `${kind} "${spec.name}" has type ${meta.type}, expected ${spec.types.join(' or ')}`);
  }
  if (meta.shape.length === 0) return; // shape not recorded in the graph: nothing to compare
  const mismatch =
    meta.shape.length !== spec.shape.length ||
    spec.shape.some((want, i) => want !== null && typeof meta.shape[i] === 'number' && meta.shape[i] !== want);
  if (mismatch) {
    throw new PackError(
      file,
      `${kind} "${spec.name}" has shape ${fmtShape(meta.shape)}, expected ${fmtShape(spec.shape)}${spec.why ? ` (${spec.why} from ${MANIFEST_FILE})` : ''}`,
    );
  }
}

/** Compares a loaded session's inputs and outputs with what the manifest's dimensions imply. */
export function validateSession(file: OnnxFile, session: InferenceSession, manifest: Manifest): void {
  const spec = sessionSpecs(manifest)[file];
  const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
  for (const want of spec.inputs) {
    const meta = inputs.get(want.name);
    if (!meta) {
      throw new PackError(file, `input "${want.name}" missing (the model has inputs ${[...inputs.keys()].join(', ')})`);
    }
    checkShape(file, 'input', meta, want);
  }
  for (const maybe of spec.optionalInputs ?? []) {
    const meta = inputs.get(maybe.name);
    if (meta) checkShape(file, 'input', meta, maybe);
  }
  const expectedInputs = new Set([...spec.inputs, ...(spec.optionalInputs ?? [])].map((s) => s.name));
  const extra = [...inputs.keys()].filter((n) => !expectedInputs.has(n));
  if (extra.length > 0) {
    throw new PackError(file, `unexpected inputs ${extra.join(', ')} (does num_layers ${manifest.dims.num_layers} in ${MANIFEST_FILE} match the model?)`);
  }
  const outputs = new Map(session.outputMetadata.map((m) => [m.name, m]));
  for (const want of spec.outputs) {
    const meta = outputs.get(want.name);
    if (!meta) throw new PackError(file, `output "${want.name}" missing (the model has outputs ${[...outputs.keys()].join(', ')})`);
    if (want.types && meta.isTensor && !want.types.includes(meta.type)) {
      throw new PackError(file, `output "${want.name}" has type ${meta.type}, expected ${want.types.join(' or ')}`);
    }
    checkLastDim(file, meta, want.name, want.lastDim, want.why);
  }
  if (spec.positionalOutput) {
    const first = session.outputMetadata[0];
    if (!first) throw new PackError(file, 'has no outputs');
    checkLastDim(file, first, first.name, spec.positionalOutput.lastDim, spec.positionalOutput.why);
  }
}

function checkLastDim(file: string, meta: Meta, name: string, lastDim: number | undefined, why: string | undefined): void {
  if (lastDim === undefined || !meta.isTensor || meta.shape.length === 0) return;
  const last = meta.shape[meta.shape.length - 1];
  if (typeof last === 'number' && last !== lastDim) {
    throw new PackError(file, `output "${name}" has shape ${fmtShape(meta.shape)}, expected last dimension ${lastDim}${why ? ` (${why} from ${MANIFEST_FILE})` : ''}`);
  }
}

/** The KV cache element type of the decode graph (float16 packs halve the bytes per step). */
export function kvCacheType(session: InferenceSession): 'float32' | 'float16' {
  const meta = session.inputMetadata.find((m) => m.name === 'past_key_0');
  return meta?.isTensor && meta.type === 'float16' ? 'float16' : 'float32';
}
