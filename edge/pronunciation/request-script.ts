import { detect } from 'tinyld/light';
import { LANGUAGE_CODES } from '../../shared/languages.ts';
import { type InputFormat, MAX_INPUT_CHARACTERS, MAX_SSML_CHARACTERS, type SpeechRequest } from '../../shared/schemas/speech.ts';
import { emptyInput, inputTooLong } from '../speech/input-errors.ts';
import { lettersOf } from '../speech/writing-systems.ts';
import { inlineTagScript } from './inline-tags.ts';
import { plainTextScript, type SpeechScript } from './script.ts';
import { parseSsmlScript } from './ssml/parse-ssml.ts';

/**
 * How the speech core reads what a request says, whatever its transport: the input as plain text
 * or SSML, checked before admission, so bad markup costs nothing and reaches no worker. (The
 * dictionaries it names are applied after: withDictionaries in dictionaries/load-dictionaries.ts.)
 */

/** Where an SSML document can start: its root, an XML declaration, or a DOCTYPE naming its root (refused when read, but SSML). */
const SSML_START = /^\s*(?:<speak[\s>/]|<\?xml\s|<!DOCTYPE\s+speak\b)/u;

/** `input_format`, or SSML when the input starts as an SSML document does (after white space). */
export const inputFormatOf = ({ input, input_format }: Pick<SpeechRequest, 'input' | 'input_format'>): InputFormat =>
  input_format ?? (SSML_START.test(input) ? 'ssml' : 'text');

/** The request's input as a script: 413 when its text (or SSML's markup) is too long, 400 `invalid_ssml` or `empty_input`. */
export function readInputScript(request: Pick<SpeechRequest, 'input' | 'input_format' | 'language'>): SpeechScript {
  if (request.input.trim().length === 0) throw emptyInput();
  const script =
    inputFormatOf(request) === 'ssml'
      ? // Markup past MAX_SSML_CHARACTERS is the parser's to refuse, after any fault before it.
        readSsmlDocument(request.input, request.language, MAX_SSML_CHARACTERS)
      : // Plain text: ElevenLabs' inline break and phoneme tags are read unless the request says `text`.
        ((request.input_format === undefined ? inlineTagScript(request.input) : undefined) ?? plainTextScript(request.input));
  if (script.characters > MAX_INPUT_CHARACTERS) throw inputTooLong(script.characters, MAX_INPUT_CHARACTERS);
  if (!script.items.some((item) => item.kind === 'pause' || item.text.trim().length > 0)) throw emptyInput();
  return script;
}

/** Below this many letters a document's language is not guessed: n-grams on so little are noise ("Mr Nguyen uses SQL." reads as Turkish). */
const MIN_GUESS_LETTERS = 40;

/**
 * The language a `<say-as>` reads its numbers and dates in when no `xml:lang` and no request
 * `language` names one (the model is not known yet): the document's, when it is long enough to
 * tell, else English.
 */
function guessDocumentLanguage(text: string): string {
  if (lettersOf(text).length < MIN_GUESS_LETTERS) return 'en';
  return detect(text, { only: [...LANGUAGE_CODES] }) || 'en';
}

/** An SSML document read as a script (400 `invalid_ssml` at the first fault), its markup at most `maxCharacters` code points. */
export function readSsmlDocument(input: string, language: string | undefined, maxCharacters: number): SpeechScript {
  return parseSsmlScript(input, {
    ...(language === undefined ? {} : { language }),
    maxCharacters,
    guessLanguage: guessDocumentLanguage,
  });
}
