import { isLanguageCode, type LanguageCode } from '../../shared/languages.ts';

const LATIN = /\p{Script_Extensions=Latin}/u;

/** The scripts each product language is written in (Japanese and Korean borrow Chinese characters). */
const SCRIPTS = {
  en: LATIN,
  de: LATIN,
  fr: LATIN,
  pt: LATIN,
  es: LATIN,
  it: LATIN,
  ru: /\p{Script_Extensions=Cyrillic}/u,
  ar: /\p{Script_Extensions=Arabic}/u,
  zh: /\p{Script_Extensions=Han}/u,
  ja: /[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}]/u,
  ko: /[\p{Script_Extensions=Hangul}\p{Script_Extensions=Han}]/u,
} satisfies Record<LanguageCode, RegExp>;

/** The letters of a text: digits, punctuation, spaces and combining marks say nothing of its language. */
export function lettersOf(text: string): string[] {
  return text.match(/\p{L}/gu) ?? [];
}

/** Whether every letter is in a script `language` is written in; false for languages not listed above. */
export function isWrittenIn(letters: readonly string[], language: string): boolean {
  if (!isLanguageCode(language)) return false;
  const script = SCRIPTS[language];
  return letters.every((letter) => script.test(letter));
}
