/**
 * The talker prompt, laid out as the reference package builds it (streaming text mode):
 *
 *   [instruction rows]      text_project("<|im_start|>user\n{instruction}<|im_end|>\n")  (optional)
 *   role rows               text_project("<|im_start|>assistant\n")
 *   codec control rows      tts_pad + codec(think), tts_pad + codec(think_bos), tts_pad + codec(language),
 *                           tts_pad + codec(think_eos), [tts_pad + speaker x-vector or preset], tts_bos + codec(pad)
 *   first text row          text_project(first text token) + codec(bos)
 *
 * The rest of the text is not in the prompt: it is fed one token per generated frame
 * ("trailing" rows, ending with tts_eos), added to the summed codes of the previous frame;
 * once it runs out, tts_pad is added instead.
 */
import { EngineRequestError } from '../types.ts';
import type { Embedders } from './code-predictor.ts';
import type { Manifest } from './pack.ts';
import type { TextTokenizer } from './tokenizer.ts';

export type SpeakerSlot =
  | { kind: 'none' }
  | { kind: 'embedding'; vector: Float32Array }
  | { kind: 'preset'; codecId: number; dialectCodecId?: number };

export interface PromptRequest {
  text: string;
  language: string;
  speaker: SpeakerSlot;
  instruction?: string;
}

export interface Prompt {
  /** Prefill rows, T x hidden_size. */
  embeds: Float32Array;
  /** Text rows fed during generation (text tokens after the first, then tts_eos). */
  trailing: Float32Array;
  trailingRows: number;
  /** tts_pad row, added once the trailing text is used up. */
  pad: Float32Array;
  textTokens: number;
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

  const instructionIds = request.instruction
    ? [t.im_start, ...tokenizer.encode(`user\n${request.instruction}`), t.im_end, ...tokenizer.encode('\n')]
    : [];
  const roleIds = [t.im_start, ...tokenizer.encode('assistant\n')];
  // One text_project run for everything textual; rows are sliced out below.
  const allText = [...instructionIds, ...roleIds, t.tts_pad, t.tts_bos, t.tts_eos, ...textIds];
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
  const ttsEos = take(1);
  const firstText = take(1);
  const restText = take(textIds.length - 1);

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

  const rows = instructionIds.length + roleIds.length + controls.length + 2;
  const embeds = new Float32Array(rows * H);
  let row = 0;
  const put = (...parts: Float32Array[]) => {
    const base = row * H;
    embeds.set(parts[0]!, base);
    for (const p of parts.slice(1)) for (let i = 0; i < H; i++) embeds[base + i] = embeds[base + i]! + p[i]!;
    row++;
  };
  for (let i = 0; i < instructionIds.length; i++) put(instructionRows.subarray(i * H, (i + 1) * H));
  for (let i = 0; i < roleIds.length; i++) put(roleRows.subarray(i * H, (i + 1) * H));
  for (const control of controls) put(ttsPad, control);
  put(ttsBos, codecPad);
  put(firstText, codecBos);

  const trailing = new Float32Array(textIds.length * H);
  trailing.set(restText, 0);
  trailing.set(ttsEos, (textIds.length - 1) * H);
  return { embeds, trailing, trailingRows: textIds.length, pad: Float32Array.from(ttsPad), textTokens: textIds.length };
}

/** No runaway generation: a frame budget from the text length, under the pack's hard cap. */
export function maxFrames(manifest: Manifest, textTokens: number): number {
  const g = manifest.generation;
  return Math.min(g.max_frames, g.max_frames_extra + Math.ceil(g.max_frames_per_text_token * textTokens));
}
