import { byId } from './dom.ts';
import { ssmlErrorRange } from './ssml-error-position.ts';
import { SSML_EXAMPLE } from './ssml-example.ts';
import { ssmlText } from './ssml-text.ts';
import { codePoints } from './units.ts';

/**
 * Speak's SSML toggle: on, the request says `input_format: "ssml"` and its markup is read as SSML
 * (docs/pronunciation.md); off, `"text"`, and markup is read aloud as it is written. "Insert
 * example" fills the text box with a short document using the common elements, and turns it on.
 */
const toggle = byId('ssml', HTMLInputElement);
const exampleButton = byId('ssml-example', HTMLButtonElement);
const hint = byId('ssml-hint', HTMLElement);
const text = byId('text', HTMLTextAreaElement);

export type InputFormat = 'text' | 'ssml';

export const inputFormat = (): InputFormat => (toggle.checked ? 'ssml' : 'text');

/** The characters a request is billed: the input's for text, the text content's for SSML (undefined when it is not XML). */
export function billedCharacters(input: string, format: InputFormat): number | undefined {
  if (format === 'text') return codePoints(input);
  const text = ssmlText(input);
  return text === undefined ? undefined : codePoints(text);
}

/** Selects in the text box the character an `invalid_ssml` message names, so the user sees where. */
export function pointAtSsmlError(message: string): void {
  const range = ssmlErrorRange(message, text.value);
  if (!range) return;
  text.focus();
  text.setSelectionRange(...range);
}

function showHint(): void {
  hint.textContent = toggle.checked
    ? 'The text is read as SSML: <break>, <sub>, <say-as>, <phoneme>, <prosody rate>, <lang>, <p>, <s> and <emphasis>.'
    : text.value.trimStart().startsWith('<')
      ? 'SSML is off: markup is read aloud as written. Turn it on to have it read as SSML.'
      : '';
}

/** Wires the toggle and the example; `onChange` runs when the format changes (the text's limits differ). */
export function setupSsml(onChange: () => void): void {
  toggle.addEventListener('change', () => {
    showHint();
    onChange();
  });
  text.addEventListener('input', showHint);
  exampleButton.addEventListener('click', () => {
    text.value = SSML_EXAMPLE;
    toggle.checked = true;
    showHint();
    onChange();
    text.focus();
  });
  showHint();
}
