import type { SourceRun } from '../../../shared/protocol/worker-api.ts';

/** A piece of a script's text and the source run that covers it (the run's `length` is the text's in code points). */
export interface TextPart {
  text: string;
  run: SourceRun;
}

/** For each UTF-16 index of `input`, the code points before it: offsets in runs are in code points, string indexes are not. */
export function codePointOffsets(input: string): Uint32Array {
  const offsets = new Uint32Array(input.length + 1);
  let count = 0;
  for (let index = 0; index < input.length; index++) {
    offsets[index] = count;
    const unit = input.charCodeAt(index);
    // The low half of a pair is not a code point of its own.
    if (!(unit >= 0xd800 && unit <= 0xdbff && index + 1 < input.length && isLowSurrogate(input.charCodeAt(index + 1)))) count++;
  }
  offsets[input.length] = count;
  return offsets;
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** The references saxes lets through (it refuses any other): the five predefined entities and numeric character references. */
const REFERENCE = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;

/**
 * Character data of `input` from `start` to `end` (UTF-16), as parts: text as written is one
 * verbatim run, and each reference (`&amp;`, `&#233;`) is a run of its character replacing the
 * reference's characters, so offsets stay those of what the user typed.
 */
export function characterData(input: string, start: number, end: number, offsets: Uint32Array): TextPart[] {
  const raw = input.slice(start, end);
  const parts: TextPart[] = [];
  let written = 0;
  const verbatim = (from: number, to: number) => {
    if (to > from) parts.push({ text: raw.slice(from, to), run: { length: offsets[start + to]! - offsets[start + from]!, input_start: offsets[start + from]! } });
  };
  for (const match of raw.matchAll(REFERENCE)) {
    verbatim(written, match.index);
    const [reference, hex, decimal, name] = match;
    const character = name !== undefined ? PREDEFINED[name]! : String.fromCodePoint(hex !== undefined ? parseInt(hex, 16) : parseInt(decimal!, 10));
    parts.push({ text: character, run: { length: 1, input_start: offsets[start + match.index]!, replaces: reference.length } });
    written = match.index + reference.length;
  }
  verbatim(written, raw.length);
  return parts;
}

/** Character data taken as written (a CDATA section's content). */
export function verbatimData(input: string, start: number, end: number, offsets: Uint32Array): TextPart[] {
  if (end <= start) return [];
  return [{ text: input.slice(start, end), run: { length: offsets[end]! - offsets[start]!, input_start: offsets[start]! } }];
}
