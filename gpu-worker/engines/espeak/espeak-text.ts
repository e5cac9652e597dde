/**
 * The text an espeak job reads, made from a request's text, and the way back. espeak's `synth_`
 * runs in SSML mode (its flags are fixed in the WebAssembly wrapper), so the request's text is
 * escaped: a user's `<break time="1s"/>` is read out, `&amp;` stays five characters, and `[[`
 * (espeak's inline phoneme input) is read as text. Phoneme stretches become `[[mnemonics]]`,
 * emphasis wraps the whole in `<emphasis>`. espeak's word events count the characters of this
 * text; `toSource` takes them back to the request's.
 */

/** A stretch of the source text (code points) to say as these espeak mnemonics. */
export interface PhonemeStretch {
  start: number;
  end: number;
  mnemonics: string;
}

export interface EspeakJobText {
  text: string;
  /** A word event's code points [position, position + length) of `text`, as code points of the source. */
  toSource(position: number, length: number): { start: number; end: number };
}

/** Characters espeak's SSML reader would take as markup, as entities it reads back as the character. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/**
 * espeak takes `[[` as the start of phoneme input even written as entities; a word joiner (invisible,
 * no word break) between the brackets keeps them text.
 */
const SPLIT_BRACKETS = '[\u2060';

const NOT_WORD = /^[^\p{L}\p{N}\p{M}]$/u;

/** `source` (code points) as espeak's input; `stretches` in order, apart, within the source. */
export function espeakJobText(source: string, stretches: readonly PhonemeStretch[] = [], emphasis = false): EspeakJobText {
  const characters = [...source];
  const parts: string[] = [];
  // For each code point of the job's text: the source code points it stands for.
  const starts: number[] = [];
  const ends: number[] = [];
  const add = (text: string, start: number, end: number) => {
    parts.push(text);
    for (const _ of text) {
      starts.push(start);
      ends.push(end);
    }
  };
  if (emphasis) add('<emphasis>', 0, 0);
  let next = 0;
  for (let at = 0; at < characters.length; ) {
    const stretch = stretches[next];
    if (stretch && at === stretch.start) {
      add(`[[${stretch.mnemonics}]]`, stretch.start, stretch.end);
      at = stretch.end;
      next++;
      continue;
    }
    const character = characters[at]!;
    add(character === '[' && characters[at + 1] === '[' ? SPLIT_BRACKETS : (ESCAPES[character] ?? character), at, at + 1);
    at++;
  }
  if (emphasis) add('</emphasis>', characters.length, characters.length);
  const last = starts.length - 1;
  const inStretch = (start: number) => stretches.some((stretch) => start >= stretch.start && start < stretch.end);
  return {
    text: parts.join(''),
    toSource(position, length) {
      const first = Math.min(Math.max(position, 0), last);
      const start = starts[first]!;
      let end = Math.max(start, ends[Math.min(first + Math.max(length, 1) - 1, last)]!);
      // Before a closing tag espeak counts the punctuation after a word into it ("important." of "important.</emphasis>").
      if (!inStretch(start)) while (end > start + 1 && NOT_WORD.test(characters[end - 1]!)) end--;
      return { start, end };
    },
  };
}
