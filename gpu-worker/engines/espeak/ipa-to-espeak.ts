import type { LanguageCode } from '../../../shared/languages.ts';
import { ESPEAK_IPA_IN_CONTEXT, ESPEAK_IPA_TABLE } from './ipa-table.ts';

/**
 * IPA (as the edge sends it, see shared/pronunciation/phonetic.ts) to espeak-ng's phoneme
 * mnemonics, for its `[[...]]` input in the voice of one language. Each language's phonemes come
 * from espeak itself (ipa-table.ts: the IPA espeak writes for a phoneme, and the mnemonic it reads
 * it from), matched longest first, so "tʃ" is one phoneme and "aɪ" one diphthong; where espeak
 * writes one IPA sound with another mnemonic between certain neighbours (Spanish ɾ after a
 * consonant is "**", elsewhere "r"), the neighbours choose.
 *
 * IPA a voice has no phoneme for is said with the nearest it has (NEAREST below, tried in order):
 * a trilled or tapped r as the language's r, "ç" as "x" or "ʃ", a vowel as its neighbour in
 * height and backness, and so on. What it cannot place at all it leaves out and reports.
 */

/**
 * An IPA sound the voice lacks, and the sounds to say instead, best first; '' leaves it out (a
 * glottal stop where the language has none).
 */
const NEAREST: Record<string, string[]> = {
  // Vowels: the closest in height, then backness, then rounding.
  a: ['ä', 'æ', 'ɑ', 'ɐ', 'ʌ'],
  ä: ['a', 'ɑ', 'æ', 'ɐ'],
  ɑ: ['ɑː', 'a', 'ä', 'ɒ'],
  ɒ: ['ɔ', 'ɑ', 'ɑː', 'o'],
  æ: ['a', 'ä', 'ɛ'],
  ɐ: ['ə', 'a', 'ä', 'ʌ'],
  ʌ: ['ɐ', 'ə', 'a', 'ɑ'],
  e: ['e̞', 'eː', 'eɪ', 'ɛ', 'i'],
  ɛ: ['e', 'e̞', 'ɛː', 'æ'],
  ə: ['ɐ', 'ɜ', 'e', 'ɪ'],
  ɘ: ['ə', 'ɪ', 'e'],
  ɵ: ['ə', 'o', 'ø'],
  ɚ: ['ər', 'ə'],
  ɜ: ['ɜː', 'ə', 'ɛ'],
  ɝ: ['ɜː', 'ɚ', 'ɜ', 'ə'],
  i: ['iː', 'ɪ', 'e'],
  ɪ: ['i', 'ᵻ', 'e'],
  ɨ: ['ᵻ', 'ɪ', 'ʅ', 'ɿ', 'i', 'ɯ'],
  ᵻ: ['ɪ', 'ɨ', 'i'],
  ʅ: ['ɨ', 'ɪ', 'i'],
  ɿ: ['ɨ', 'ɪ', 'i'],
  o: ['o̞', 'oː', 'oʊ', 'ɔ'],
  ɔ: ['o', 'ɔː', 'o̞', 'ɒ'],
  ɤ: ['ə', 'o', 'ʌ'],
  u: ['uː', 'ɯᵝ', 'ʊ', 'ɯ'],
  ʊ: ['u', 'uː', 'ɯᵝ'],
  ɯ: ['ɯᵝ', 'u', 'ɨ'],
  y: ['yː', 'ʏ', 'i', 'u'],
  ʏ: ['y', 'yː', 'ɪ'],
  ø: ['øː', 'œ', 'ə', 'e'],
  œ: ['ø', 'øː', 'ɛ', 'ə'],
  // Consonants: the same place of articulation first, then the same manner.
  r: ['ɹ', 'ʁ', 'ɾ', 'ɽ'],
  ɹ: ['r', 'ʁ', 'ɾ', 'ɽ'],
  ɾ: ['r', 'ɹ', 'ɽ', 'd'],
  ʀ: ['ʁ', 'r', 'ɹ'],
  ʁ: ['r', 'ɹ', 'χ'],
  ɽ: ['ɾ', 'r', 'ɹ'],
  ɻ: ['ɹ', 'ʐ', 'r'],
  x: ['χ', 'h', 'k'],
  χ: ['x', 'ʁ', 'h'],
  ç: ['x', 'ɕ', 'ʃ', 'h'],
  ɕ: ['ʃ', 'ç', 's'],
  ʑ: ['ʒ', 'z'],
  ʂ: ['ʃ', 'ɕ', 's'],
  ʐ: ['ʒ', 'ʑ', 'ɻ'],
  ʃ: ['ɕ', 'ʂ', 's'],
  ʒ: ['ʑ', 'ʐ', 'z'],
  θ: ['s', 't'],
  ð: ['d', 'z'],
  ɲ: ['n'],
  ʎ: ['l'],
  ŋ: ['n'],
  ɴ: ['ŋ', 'n'],
  ɫ: ['l', 'ɭ'],
  ɭ: ['l'],
  ɬ: ['l', 's'],
  ʔ: [''],
  ħ: ['h', 'x'],
  ʕ: ['ʔ', ''],
  ɦ: ['h'],
  β: ['b', 'v'],
  ɸ: ['f'],
  ʋ: ['v', 'w'],
  ɣ: ['ɡ', 'x'],
  ɟ: ['ɡ', 'dʒ'],
  c: ['k', 'tʃ'],
  q: ['k'],
  ɢ: ['ɡ'],
  ʝ: ['j'],
  ɥ: ['w', 'j'],
  w: ['ʋ', 'u'],
  j: ['i'],
  ʍ: ['w'],
  ɰ: ['w', 'ɡ'],
  // Two letters: affricates and diphthongs a voice writes otherwise.
  tʂ: ['tʃ', 'tɕ'],
  dʐ: ['dʒ'],
  tɕ: ['tʃ'],
  dʑ: ['dʒ'],
  əʊ: ['oʊ'],
  ɑɪ: ['aɪ'],
  ɑʊ: ['aʊ'],
  ɛə: ['ɛɹ', 'eː', 'ɛ'],
  ɪə: ['ɪɹ', 'iː'],
  ʊə: ['ʊɹ', 'uː'],
  ei: ['eɪ', 'e'],
  ou: ['oʊ', 'o'],
};

/** Written as their own marks in espeak's input. */
const STRESS: Record<string, string> = { 'ˈ': "'", 'ˌ': ',' };
/** Left out: syllable breaks, linking, group boundaries, ties (a tied pair is matched as one phoneme anyway). */
const SILENT = new Set(['.', '‿', '|', '‖', '\u0361', '\u035C']);
/** Chao tone letters and superscript tone digits, as espeak's Mandarin tone numbers. */
const TONE_DIGITS: Record<string, string> = { '˥': '5', '˦': '4', '˧': '3', '˨': '2', '˩': '1', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5' };
const COMBINING = /^[\u0300-\u036F]$/u;
const VOWEL = /^[aeiouyæøœɐ-ɤɨɪɯɵɶʉʊʌʏᵻəɚɝɛɜɞʅɿä]/u;

/** Whether a phoneme's neighbours are vowels (V), consonants (C) or a word's edge (#): "VC" is after a vowel, before a consonant. */
export function phonemeContext(previous: string | undefined, next: string | undefined): string {
  const kind = (key: string | undefined) => (key === undefined ? '#' : VOWEL.test(key) ? 'V' : 'C');
  return kind(previous) + kind(next);
}

/** A sound of the IPA as a key of the voice's table, or a mark written as it is (stress, a space, a tone). */
type Token = { key: string; vowel: boolean } | { mark: string };

export interface EspeakPhonemes {
  /** What goes between `[[` and `]]`. */
  mnemonics: string;
  /** IPA symbols the voice has nothing near for: left out. */
  unplaced: string[];
}

const longestKey = new Map<LanguageCode, number>();
function keyLength(language: LanguageCode): number {
  let longest = longestKey.get(language);
  if (longest === undefined) {
    longest = Math.max(...Object.keys(ESPEAK_IPA_TABLE[language]).map((key) => key.length));
    longestKey.set(language, longest);
  }
  return longest;
}

/** espeak's mnemonics for `ipa` in the voice of `language`. */
export function ipaToEspeak(ipa: string, language: LanguageCode): EspeakPhonemes {
  const table = ESPEAK_IPA_TABLE[language];
  // Decomposed, as the table's keys: "ã" is "a" and a combining tilde.
  let text = ipa.normalize('NFD').replaceAll('g', 'ɡ');
  // espeak's Mandarin writes aspiration as "h" (tsh, kh); elsewhere an aspirated stop is the stop.
  text = language === 'zh' ? text.replaceAll('ʰ', 'h') : text.replaceAll('ʰ', '');
  const tokens: Token[] = [];
  const unplaced: string[] = [];
  const sound = (key: string) => tokens.push({ key, vowel: VOWEL.test(key) });
  /** Whether a vowel follows `at` (past stress marks). */
  const vowelAt = (at: number) => VOWEL.test(text.slice(at).replace(/^[ˈˌ]+/u, ''));
  /** The longest phoneme of the voice at `at`: how many UTF-16 units it takes, 0 if none. */
  const match = (at: number): number => {
    for (let length = Math.min(keyLength(language), text.length - at); length > 0; length--) {
      const key = text.slice(at, at + length);
      // An r-coloured vowel ("ɪɹ") before a vowel is the vowel and an r that starts the next syllable ("mirror").
      if (length > 1 && /[ɹr]$/u.test(key) && vowelAt(at + length)) continue;
      if (Object.hasOwn(table, key)) {
        sound(key);
        return length;
      }
    }
    return 0;
  };
  for (let at = 0; at < text.length; ) {
    const symbol = text[at]!;
    if (STRESS[symbol]) {
      tokens.push({ mark: STRESS[symbol] });
      at++;
    } else if (/\s/u.test(symbol)) {
      const last = tokens.at(-1);
      if (last && !('mark' in last && last.mark === ' ')) tokens.push({ mark: ' ' });
      at++;
    } else if (SILENT.has(symbol)) {
      at++;
    } else if (TONE_DIGITS[symbol] || (language === 'zh' && /\d/u.test(symbol))) {
      let tone = '';
      for (; at < text.length && (TONE_DIGITS[text[at]!] || /\d/u.test(text[at]!)); at++) tone += TONE_DIGITS[text[at]!] ?? text[at];
      if (language === 'zh') placeTone(tokens, tone.length === 1 ? tone + tone : tone);
    } else {
      // Two letters the voice writes otherwise (an affricate, a diphthong), then the longest phoneme it has.
      const pair = text.slice(at, at + 2);
      const pairInstead = Object.hasOwn(table, pair) ? undefined : nearest(table, pair);
      if (pairInstead !== undefined) {
        if (pairInstead !== '') sound(pairInstead);
        at += 2;
        continue;
      }
      const taken = match(at);
      if (taken > 0) {
        at += taken;
        continue;
      }
      if (symbol === 'ː') {
        // Length on a vowel the voice has no long form of: espeak's own lengthening mark.
        tokens.push({ mark: ':' });
      } else if (!COMBINING.test(symbol)) {
        // A letter the voice lacks: the nearest it has. (A diacritic no phoneme of the voice carries is dropped.)
        const instead = nearest(table, symbol);
        if (instead === undefined) unplaced.push(symbol);
        else if (instead !== '') sound(instead);
      }
      at++;
    }
  }
  return { mnemonics: spell(tokens, language), unplaced };
}

/** The tokens in espeak's mnemonics, each sound as espeak writes it between its neighbours. */
function spell(tokens: Token[], language: LanguageCode): string {
  const neighbour = (from: number, step: number): string | undefined => {
    for (let i = from + step; i >= 0 && i < tokens.length; i += step) {
      const token = tokens[i]!;
      if ('key' in token) return token.key;
      if (token.mark === ' ') return undefined;
    }
    return undefined;
  };
  return tokens
    .map((token, i) => {
      if ('mark' in token) return token.mark;
      const context = `${token.key} ${phonemeContext(neighbour(i, -1), neighbour(i, 1))}`;
      return ESPEAK_IPA_IN_CONTEXT[language][context] ?? ESPEAK_IPA_TABLE[language][token.key]!;
    })
    .join('')
    .trim();
}

/** The first of a sound's stand-ins the voice has ('' for none needed), or undefined. */
function nearest(table: Record<string, string>, sound: string): string | undefined {
  return NEAREST[sound]?.map((alternative) => alternative.normalize('NFD')).find((alternative) => alternative === '' || Object.hasOwn(table, alternative));
}

/** A Mandarin tone goes after its syllable's vowel in espeak ("tS;'i55N"), where IPA writes it after the syllable. */
function placeTone(tokens: Token[], tone: string): void {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if ('mark' in token && token.mark === ' ') break;
    if ('key' in token && token.vowel) {
      tokens.splice(i + 1, 0, { mark: tone });
      return;
    }
  }
  tokens.push({ mark: tone });
}
