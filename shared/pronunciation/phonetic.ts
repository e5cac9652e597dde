import type { PhoneticAlphabet } from '../schemas/pronunciation.ts';

/**
 * Phoneme strings from dictionaries and SSML `<phoneme>`, brought to one alphabet: the edge sends
 * workers IPA only, and each engine that says phonemes converts IPA to its own notation (espeak:
 * gpu-worker/engines/espeak/ipa-to-espeak.ts). No maintained npm package converts X-SAMPA in a
 * Worker (those published read their tables from files at run time), so the table is here: it is
 * John Wells' X-SAMPA chart (https://www.phon.ucl.ac.uk/home/sampa/x-sampa.htm), symbol for symbol.
 */

const X_SAMPA: Record<string, string> = {
  // Consonants and vowels written with a capital, a digit or a sign.
  A: 'ɑ', B: 'β', C: 'ç', D: 'ð', E: 'ɛ', F: 'ɱ', G: 'ɣ', H: 'ɥ', I: 'ɪ', J: 'ɲ', K: 'ɬ', L: 'ʎ', M: 'ɯ',
  N: 'ŋ', O: 'ɔ', P: 'ʋ', Q: 'ɒ', R: 'ʁ', S: 'ʃ', T: 'θ', U: 'ʊ', V: 'ʌ', W: 'ʍ', X: 'χ', Y: 'ʏ', Z: 'ʒ',
  '@': 'ə', '{': 'æ', '}': 'ʉ', '1': 'ɨ', '2': 'ø', '3': 'ɜ', '4': 'ɾ', '5': 'ɫ', '6': 'ɐ', '7': 'ɤ',
  '8': 'ɵ', '9': 'œ', '&': 'ɶ', '?': 'ʔ', g: 'ɡ',
  // With a backslash or a backtick.
  'B\\': 'ʙ', 'G\\': 'ɢ', 'h\\': 'ɦ', 'H\\': 'ʜ', 'I\\': 'ᵻ', 'j\\': 'ʝ', 'J\\': 'ɟ', 'K\\': 'ɮ', 'l\\': 'ɺ',
  'L\\': 'ʟ', 'M\\': 'ɰ', 'N\\': 'ɴ', 'O\\': 'ʘ', 'p\\': 'ɸ', 'r\\': 'ɹ', 'R\\': 'ʀ', 's\\': 'ɕ', 'U\\': 'ᵿ',
  'v\\': 'ʋ', 'x\\': 'ɧ', 'X\\': 'ħ', 'z\\': 'ʑ', '@\\': 'ɘ', '3\\': 'ɞ', '?\\': 'ʕ', '<\\': 'ʢ', '>\\': 'ʡ',
  '!\\': 'ǃ', '|\\': 'ǀ', '|\\|\\': 'ǁ', '=\\': 'ǂ', '-\\': '‿', 'r\\`': 'ɻ',
  'd`': 'ɖ', 'l`': 'ɭ', 'n`': 'ɳ', 'r`': 'ɽ', 's`': 'ʂ', 't`': 'ʈ', 'z`': 'ʐ', '@`': 'ɚ', '3`': 'ɝ',
  'b_<': 'ɓ', 'd_<': 'ɗ', 'g_<': 'ɠ', 'G\\_<': 'ʛ', 'J\\_<': 'ʄ',
  // Suprasegmentals.
  '"': 'ˈ', '%': 'ˌ', ':': 'ː', ':\\': 'ˑ', '.': '.', '|': '|', '||': '‖', '^': 'ꜛ', '!': 'ꜜ',
  // Diacritics.
  '_"': '\u0308', '_+': '\u031F', '_-': '\u0320', '_0': '\u0325', '=': '\u0329', '_=': '\u0329', '_>': 'ʼ',
  '_?\\': 'ˤ', '_^': '\u032F', '_}': '\u031A', '`': '˞', '~': '\u0303', '_~': '\u0303', '_A': '\u0318',
  '_a': '\u033A', '_B': '\u030F', '_c': '\u031C', '_d': '\u032A', '_e': '\u0334', '_F': '\u0302', '_G': 'ˠ',
  '_H': '\u0301', '_h': 'ʰ', '_j': 'ʲ', '_k': '\u0330', '_L': '\u0300', '_l': 'ˡ', '_M': '\u0304', '_m': '\u033B',
  '_N': '\u033C', '_n': 'ⁿ', '_O': '\u0339', '_o': '\u031E', '_q': '\u0319', '_R': '\u030C', '_r': '\u031D',
  '_T': '\u030B', '_t': '\u0324', '_v': '\u032C', '_w': 'ʷ', '_X': '\u0306', '_x': '\u033D',
  // A tie bar joins an affricate (t_S); a space separates words.
  _: '\u0361', ' ': ' ',
};
const LONGEST_X_SAMPA = Math.max(...Object.keys(X_SAMPA).map((symbol) => symbol.length));
const LOWERCASE_LETTER = /^[a-z]$/;

/**
 * Characters IPA is written with: Latin lowercase, the IPA Extensions, spacing modifiers and
 * combining diacritics, the phonetic extensions, the Greek letters IPA borrows, and its separators.
 */
const IPA_CHARACTER = /^[a-zæçðøħŋœɐ-ʯʰ-˿\u0300-\u036Fβθχᴀ-ᶿ‿ꜛꜜǀ-ǃ.|‖ \u0361\u035C]$/u;

export type PhoneticResult = { ok: true; ipa: string } | { ok: false; error: string };

function fromXSampa(text: string): PhoneticResult {
  let ipa = '';
  for (let at = 0; at < text.length; ) {
    let matched = 0;
    for (let length = Math.min(LONGEST_X_SAMPA, text.length - at); length > 0; length--) {
      const symbol = text.slice(at, at + length);
      const converted = X_SAMPA[symbol] ?? (length === 1 && LOWERCASE_LETTER.test(symbol) ? symbol : undefined);
      if (converted !== undefined) {
        ipa += converted;
        matched = length;
        break;
      }
    }
    if (matched === 0) return { ok: false, error: `"${text[at]}" at character ${at + 1} is not an X-SAMPA symbol.` };
    at += matched;
  }
  return { ok: true, ipa };
}

/** IPA as people type it: an ASCII apostrophe for the stress mark and a colon for length are taken for what they mean. */
function checkIpa(text: string): PhoneticResult {
  const ipa = text.normalize('NFD').replaceAll("'", 'ˈ').replaceAll(':', 'ː').replaceAll('g', 'ɡ');
  let at = 0;
  for (const character of ipa) {
    if (!IPA_CHARACTER.test(character)) return { ok: false, error: `"${character}" at character ${at + 1} is not an IPA symbol.` };
    at++;
  }
  return { ok: true, ipa: ipa.normalize('NFC') };
}

/** The phonemes as IPA, or why they are not a phoneme string of `alphabet`. */
export function toIpa(phonemes: string, alphabet: PhoneticAlphabet): PhoneticResult {
  const trimmed = phonemes.trim();
  if (trimmed.length === 0) return { ok: false, error: 'The phoneme string is empty.' };
  return alphabet === 'x-sampa' ? fromXSampa(trimmed) : checkIpa(trimmed);
}
