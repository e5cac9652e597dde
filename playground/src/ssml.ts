import { byId } from './dom.ts';
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

export const SSML_EXAMPLE = `<speak>
  Welcome to the <sub alias="World Wide Web">WWW</sub> tour. <break time="700ms"/>
  It has <say-as interpret-as="cardinal">1024</say-as> stops, and a
  <phoneme alphabet="ipa" ph="ˈblɪkɪt">blicket</phoneme> at each.
  <prosody rate="slow">Take it slowly,</prosody> and <emphasis level="strong">enjoy</emphasis> it.
</speak>`;

export type InputFormat = 'text' | 'ssml';

export const inputFormat = (): InputFormat => (toggle.checked ? 'ssml' : 'text');

/**
 * The characters a request is billed: the input's for text; for SSML, its text content (markup
 * and attributes, such as a sub's alias, are not billed), whitespace runs as one space, trimmed.
 * Undefined when the browser cannot read it as XML (the API will say where).
 */
export function billedCharacters(input: string, format: InputFormat): number | undefined {
  if (format === 'text') return codePoints(input);
  const document = new DOMParser().parseFromString(input, 'application/xml');
  if (document.querySelector('parsererror')) return undefined;
  return codePoints((document.documentElement.textContent ?? '').replace(/\s+/g, ' ').trim());
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
