import type { VoiceInfo } from '../../../shared/schemas/catalog.ts';
import type { LanguageCode } from '../../../shared/languages.ts';

/** The espeak-ng voice that speaks each language, by the name espeak finds it under (France's French is `fr`: `fr-fr` is only a language tag). */
export const ESPEAK_LANGUAGE_VOICES: Record<LanguageCode, string> = {
  en: 'en-us',
  zh: 'cmn',
  ja: 'ja',
  ko: 'ko',
  de: 'de',
  fr: 'fr',
  ru: 'ru',
  pt: 'pt-br',
  es: 'es',
  it: 'it',
  ar: 'ar',
};

const LANGUAGE_NAMES: Record<LanguageCode, string> = {
  en: 'English (US)',
  zh: 'Mandarin Chinese',
  ja: 'Japanese',
  ko: 'Korean',
  de: 'German',
  fr: 'French',
  ru: 'Russian',
  pt: 'Portuguese (Brazil)',
  es: 'Spanish',
  it: 'Italian',
  ar: 'Arabic',
};

/** A preset: a language's espeak voice with a variant (espeak's `+m3`, `+f3`... pitch and formant sets). */
export interface EspeakPreset extends VoiceInfo {
  espeakVoice: string;
  variant: string;
}

function preset(id: string, language: LanguageCode, gender: 'male' | 'female', espeakVoice: string, variant: string, label: string): EspeakPreset {
  return { id, name: `${label}, ${gender}`, gender, language, espeakVoice, variant };
}

/** A male and a female voice for every language, plus British English. */
export const ESPEAK_PRESETS: EspeakPreset[] = [
  ...(Object.keys(ESPEAK_LANGUAGE_VOICES) as LanguageCode[]).flatMap((language) => [
    preset(`${language}-female`, language, 'female', ESPEAK_LANGUAGE_VOICES[language], 'f3', LANGUAGE_NAMES[language]),
    preset(`${language}-male`, language, 'male', ESPEAK_LANGUAGE_VOICES[language], 'm3', LANGUAGE_NAMES[language]),
  ]),
  preset('en-gb-female', 'en', 'female', 'en-gb', 'f2', 'English (UK)'),
  preset('en-gb-male', 'en', 'male', 'en-gb', 'm1', 'English (UK)'),
];
