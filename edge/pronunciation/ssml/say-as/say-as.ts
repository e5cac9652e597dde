import type { Parsed } from '../attribute-values.ts';
import { type DateFormat, writtenDate, writtenTime } from './date-time.ts';
import { type NumberWords, numberWords } from './number-words.ts';

export const INTERPRET_AS = ['characters', 'spell-out', 'cardinal', 'ordinal', 'digits', 'date', 'time', 'telephone'] as const;
export type InterpretAs = (typeof INTERPRET_AS)[number];

export const isInterpretAs = (value: string): value is InterpretAs => (INTERPRET_AS as readonly string[]).includes(value);

/** Numbers this long and no longer are read out (n2words goes further, but not right in every language). */
const MAX_INTEGER_DIGITS = 15;

/** The words a `<say-as>` stands for, in `language`, for an engine to say as written: "W W W", "forty-two", "March 5, 2024". */
export function sayAs(interpretAs: InterpretAs, content: string, language: string, format?: DateFormat): Parsed<string> {
  const text = content.trim();
  try {
    switch (interpretAs) {
      case 'characters':
      case 'spell-out':
        return { ok: true, value: [...text].filter((character) => !/\s/u.test(character)).join(' ') };
      case 'date':
        return writtenDate(text, format, language);
      case 'time':
        return writtenTime(text, language);
      default:
        return sayNumber(interpretAs, text, language);
    }
  } catch (error) {
    // Intl and n2words throw RangeError on what they cannot take; say what the user can change.
    return { ok: false, problem: `<say-as interpret-as="${interpretAs}"> cannot read "${text}" in language "${language}" (${(error as Error).message})` };
  }
}

function sayNumber(interpretAs: 'cardinal' | 'ordinal' | 'digits' | 'telephone', text: string, language: string): Parsed<string> {
  const words = numberWords(language);
  if (words === undefined) return { ok: false, problem: `<say-as interpret-as="${interpretAs}"> has no number words for language "${language}"` };
  const cannotRead = (what: string): Parsed<never> => ({ ok: false, problem: `<say-as interpret-as="${interpretAs}"> cannot read "${text}" as ${what}` });
  switch (interpretAs) {
    case 'cardinal': {
      const number = plainNumber(text, language);
      return number === undefined ? cannotRead('a number') : { ok: true, value: words.cardinal(number) };
    }
    case 'ordinal': {
      // "21", "21st", "21.", "21º": the digits are what is read.
      const match = /^(\d+)(?:\.|[\p{L}ºª]{1,3})?$/u.exec(text);
      if (match === null || match[1]!.length > MAX_INTEGER_DIGITS || /^0+$/.test(match[1]!)) return cannotRead('an ordinal number');
      return { ok: true, value: words.ordinal(match[1]!.replace(/^0+/, '')) };
    }
    case 'digits': {
      const digits = text.replace(/\s+/gu, '');
      return /^\d+$/.test(digits) ? { ok: true, value: digitByDigit(digits, words) } : cannotRead('digits');
    }
    case 'telephone': {
      if (!/^\+?[\d\s().\-/]+$/u.test(text) || !/\d/.test(text)) return cannotRead('a telephone number');
      const groups = text.split(/\D+/).filter((group) => group.length > 0);
      const plus = text.startsWith('+') ? PLUS[language.split('-')[0]!] : undefined;
      return { ok: true, value: [...(plus === undefined ? [] : [plus]), ...groups.map((group) => digitByDigit(group, words))].join(', ') };
    }
  }
}

const digitByDigit = (digits: string, words: NumberWords) => [...digits].map((digit) => words.cardinal(digit)).join(' ');

/** The leading "+" of an international number, as each language reads it. */
const PLUS: Record<string, string> = { ar: 'زائد', de: 'plus', en: 'plus', es: 'más', fr: 'plus', it: 'più', ja: 'プラス', ko: '플러스', pt: 'mais', ru: 'плюс', zh: '加' };

/**
 * A number as the language writes it ("1,234.5" in English, "1.234,5" in German, "1 234,5" in
 * French), or plain digits, as n2words takes it ("1234.5"); undefined if it is not one.
 */
function plainNumber(text: string, language: string): string | undefined {
  const parts = new Intl.NumberFormat(language).formatToParts(12345.6);
  const group = parts.find((part) => part.type === 'group')?.value ?? ',';
  const decimal = parts.find((part) => part.type === 'decimal')?.value ?? '.';
  // French and Russian group with a (narrow) no-break space; people type any space.
  const groupPattern = /^\s$/u.test(group) ? '[ \\u00a0\\u202f]' : escape(group);
  const match = new RegExp(`^([+\\-−]?)(\\d{1,3}(?:${groupPattern}\\d{3})+|\\d+)(?:${escape(decimal)}(\\d+))?$`, 'u').exec(text);
  if (match === null) return undefined;
  const [, sign, integer, fraction] = match;
  const digits = integer!.replace(/\D/g, '').replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_INTEGER_DIGITS) return undefined;
  return `${sign === '' || sign === '+' ? '' : '-'}${digits}${fraction === undefined ? '' : `.${fraction}`}`;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
