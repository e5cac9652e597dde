import * as ar from 'n2words/ar-SA';
import * as de from 'n2words/de-DE';
import * as en from 'n2words/en-US';
import * as es from 'n2words/es-ES';
import * as fr from 'n2words/fr-FR';
import * as it from 'n2words/it-IT';
import * as ja from 'n2words/ja-JP';
import * as ko from 'n2words/ko-KR';
import * as pt from 'n2words/pt-PT';
import * as ru from 'n2words/ru-RU';
import * as zh from 'n2words/zh-Hans-CN';

/** Numbers as words in one language; `value` is plain ASCII: "-1234.5", "21". */
export interface NumberWords {
  cardinal(value: string): string;
  ordinal(value: string): string;
}

/**
 * n2words for the languages the product speaks (shared/languages.ts), by primary subtag. Only
 * these are bundled: each language is a module of its own, and the edge ships what it imports.
 */
const BY_LANGUAGE: Record<string, NumberWords> = {
  ar: { cardinal: (value) => ar.toCardinal(value), ordinal: (value) => ar.toOrdinal(value) },
  de: { cardinal: (value) => de.toCardinal(value), ordinal: (value) => de.toOrdinal(value) },
  en: { cardinal: (value) => en.toCardinal(value), ordinal: (value) => en.toOrdinal(value) },
  es: { cardinal: (value) => es.toCardinal(value), ordinal: (value) => es.toOrdinal(value) },
  fr: { cardinal: (value) => fr.toCardinal(value), ordinal: (value) => fr.toOrdinal(value) },
  it: { cardinal: (value) => it.toCardinal(value), ordinal: (value) => it.toOrdinal(value) },
  ja: { cardinal: (value) => ja.toCardinal(value), ordinal: (value) => ja.toOrdinal(value) },
  ko: { cardinal: (value) => ko.toCardinal(value), ordinal: (value) => ko.toOrdinal(value) },
  pt: { cardinal: (value) => pt.toCardinal(value), ordinal: (value) => pt.toOrdinal(value) },
  ru: { cardinal: (value) => ru.toCardinal(value), ordinal: (value) => ru.toOrdinal(value) },
  // Everyday numerals, not the financial ones n2words writes by default (壹仟 for 一千).
  zh: { cardinal: (value) => zh.toCardinal(value, { formal: false }), ordinal: (value) => zh.toOrdinal(value, { formal: false }) },
};

export function numberWords(language: string): NumberWords | undefined {
  const primary = language.split('-')[0]!.toLowerCase();
  return Object.hasOwn(BY_LANGUAGE, primary) ? BY_LANGUAGE[primary] : undefined;
}
