/**
 * The talker prompt, laid out as the reference package builds it (streaming text mode, the
 * reference's default for cloning):
 *
 *   [instruction rows]      text_project("<|im_start|>user\n{instruction}<|im_end|>\n")  (optional)
 *   role rows               text_project("<|im_start|>assistant\n")
 *   codec control rows      tts_pad + codec(think), tts_pad + codec(think_bos), tts_pad + codec(language),
 *                           tts_pad + codec(think_eos), [tts_pad + speaker x-vector or preset], tts_bos + codec(pad)
 *   aligned rows            text rows and codec rows summed pairwise (below)
 *
 * Aligned rows: a text column and a codec column, summed row by row for as many rows as the codec
 * column has; text rows left over are "trailing": fed one per generated frame, added to the
 * summed codes of the previous frame, and tts_pad once they run out. Text rows that fall short
 * are padded with tts_pad.
 *
 *   plain:       text = [text tokens, tts_eos]                   codec = [codec(bos)]
 *                -> one row (first text token + codec bos), the rest of the text trails.
 *   in-context:  text = [reference transcript tokens, text tokens, tts_eos]
 *                codec = [codec(bos), one row per reference frame: its 16 codes' embeddings summed]
 *                -> 1 + reference frames rows; usually all text fits, so only tts_pad trails.
 *
 * Read in the reference (generate, generate_icl_prompt): the transcript tokens go before the
 * target text, the reference frames after codec bos, both columns summed with the tts_pad
 * padding rule above; the x-vector keeps its speaker slot in in-context mode; the reference
 * codes are not generated again, only new frames are (the reference decodes reference + new
 * codes together and cuts the reference's share of the audio; we decode the new frames with the
 * reference frames as the codec's left context, which is the same for a causal decoder).
 * Inferred: the transcript is tokenized on its own, as the target text is (the reference cuts
 * it out of "<|im_start|>assistant\n{transcript}<|im_end|>\n", which byte-level BPE splits at
 * the same boundaries); the language token is the request's (the reference does not look at
 * the reference clip's language).
 */
import { EngineRequestError } from '../types.ts';
import type { Embedders } from './code-predictor.ts';
import type { Manifest } from './pack.ts';
import type { TextTokenizer } from './tokenizer.ts';

export type SpeakerSlot =
  | { kind: 'none' }
  | { kind: 'embedding'; vector: Float32Array }
  | { kind: 'preset'; codecId: number; dialectCodecId?: number };

/** In-context cloning: the reference clip's transcript and its frames' summed code embeddings. */
export interface ReferencePrompt {
  text: string;
  /** frames x hidden_size (see frameEmbeddings). */
  rows: Float32Array;
}

export interface PromptRequest {
  text: string;
  language: string;
  speaker: SpeakerSlot;
  instruction?: string;
  reference?: ReferencePrompt;
}

export interface Prompt {
  /** Prefill rows, rows x hidden_size. */
  embeds: Float32Array;
  rows: number;
  /** Text rows fed during generation, one per frame (what the aligned rows left over). */
  trailing: Float32Array;
  trailingRows: number;
  /** tts_pad row, added once the trailing text is used up. */
  pad: Float32Array;
  /** Tokens of the text to speak (not the reference transcript): the frame budget's measure. */
  textTokens: number;
  /**
   * The frame each token of the text (then tts_eos) enters generation at: 0 for those in the
   * prefill's aligned rows, else the frame whose step adds it (see the trailing rows above).
   */
  textEntryFrames: number[];
}

export async function buildPrompt(
  manifest: Manifest,
  tokenizer: TextTokenizer,
  embed: Embedders,
  request: PromptRequest,
): Promise<Prompt> {
  const H = manifest.dims.hidden_size;
  const t = manifest.tokens.text;
  const c = manifest.tokens.codec;
  const textIds = tokenizer.encode(request.text);
  if (textIds.length === 0) throw new EngineRequestError('empty_input', 'The input text has no speakable tokens.', 'input');
  let languageId = manifest.languages[request.language];
  if (languageId === undefined) {
    throw new EngineRequestError(
      'unsupported_language',
      `${manifest.id} does not speak "${request.language}"; it speaks ${Object.keys(manifest.languages).join(', ')}.`,
      'language',
    );
  }
  if (request.speaker.kind === 'preset' && request.speaker.dialectCodecId !== undefined && request.language === 'zh') {
    languageId = request.speaker.dialectCodecId;
  }
  const reference = request.reference;
  if (reference && reference.rows.length % H !== 0) throw new Error(`reference rows of ${reference.rows.length} values, not a multiple of ${H}`);

  const instructionIds = request.instruction
    ? [t.im_start, ...tokenizer.encode(`user\n${request.instruction}`), t.im_end, ...tokenizer.encode('\n')]
    : [];
  const roleIds = [t.im_start, ...tokenizer.encode('assistant\n')];
  const referenceIds = reference ? tokenizer.encode(reference.text) : [];
  // One text_project run for everything textual; rows are sliced out below. The spoken-text
  // column (transcript, text, tts_eos) is contiguous so that it can be used as it is.
  const allText = [...instructionIds, ...roleIds, t.tts_pad, t.tts_bos, ...referenceIds, ...textIds, t.tts_eos];
  const text = await embed.text(allText);
  let at = 0;
  const take = (n: number) => {
    const rows = text.subarray(at * H, (at + n) * H);
    at += n;
    return rows;
  };
  const instructionRows = take(instructionIds.length);
  const roleRows = take(roleIds.length);
  const ttsPad = take(1);
  const ttsBos = take(1);
  const spokenRows = referenceIds.length + textIds.length + 1;
  const spoken = take(spokenRows);

  const codecIds = [c.think, c.think_bos, languageId, c.think_eos];
  if (request.speaker.kind === 'preset') codecIds.push(request.speaker.codecId);
  codecIds.push(c.pad, c.bos);
  const codecRows = await embed.codec(codecIds);
  const codecRow = (i: number) => codecRows.subarray(i * H, (i + 1) * H);
  const controls: Float32Array[] = [codecRow(0), codecRow(1), codecRow(2), codecRow(3)];
  if (request.speaker.kind === 'preset') controls.push(codecRow(4));
  if (request.speaker.kind === 'embedding') {
    if (request.speaker.vector.length !== H) throw new Error(`speaker embedding has ${request.speaker.vector.length} values, expected ${H}`);
    controls.push(request.speaker.vector);
  }
  const codecPad = codecRow(codecIds.length - 2);
  const codecBos = codecRow(codecIds.length - 1);

  // The codec column of the aligned rows: codec bos, then the reference frames (if any).
  const referenceFrames = reference ? reference.rows.length / H : 0;
  const codecColumn = new Float32Array((1 + referenceFrames) * H);
  codecColumn.set(codecBos, 0);
  if (reference) codecColumn.set(reference.rows, H);
  const alignedRows = 1 + referenceFrames;

  const rows = instructionIds.length + roleIds.length + controls.length + 1 + alignedRows;
  const embeds = new Float32Array(rows * H);
  let row = 0;
  const put = (a: Float32Array, b?: Float32Array) => {
    const base = row * H;
    embeds.set(a, base);
    if (b) for (let i = 0; i < H; i++) embeds[base + i] = embeds[base + i]! + b[i]!;
    row++;
  };
  for (let i = 0; i < instructionIds.length; i++) put(instructionRows.subarray(i * H, (i + 1) * H));
  for (let i = 0; i < roleIds.length; i++) put(roleRows.subarray(i * H, (i + 1) * H));
  for (const control of controls) put(ttsPad, control);
  put(ttsBos, codecPad);
  for (let i = 0; i < alignedRows; i++) {
    put(codecColumn.subarray(i * H, (i + 1) * H), i < spokenRows ? spoken.subarray(i * H, (i + 1) * H) : ttsPad);
  }

  const trailingRows = Math.max(0, spokenRows - alignedRows);
  const trailing = Float32Array.from(spoken.subarray(alignedRows * H));
  // Spoken row j (transcript, text, tts_eos) is aligned row j, or trailing row j - alignedRows,
  // added in the step that makes frame j - alignedRows + 1.
  const textEntryFrames = Array.from({ length: textIds.length + 1 }, (_, i) => Math.max(0, referenceIds.length + i - alignedRows + 1));
  return { embeds, rows, trailing, trailingRows, pad: Float32Array.from(ttsPad), textTokens: textIds.length, textEntryFrames };
}

/** No runaway generation: a frame budget from the text length, under the pack's hard cap. */
export function maxFrames(manifest: Manifest, textTokens: number): number {
  const g = manifest.generation;
  return Math.min(g.max_frames, g.max_frames_extra + Math.ceil(g.max_frames_per_text_token * textTokens));
}
