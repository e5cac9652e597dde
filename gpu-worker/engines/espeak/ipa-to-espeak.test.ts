import { beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGE_CODES, type LanguageCode } from '../../../shared/languages.ts';
import { type EspeakPhonemes, openEspeakPhonemes } from './espeak-phonemes.ts';
import { ipaToEspeak } from './ipa-to-espeak.ts';
import { SAME_SOUND_DB, spectralDistance, spoken } from './spectral-distance.ts';
import { DEFAULT_PITCH, DEFAULT_RANGE } from './voice-params.ts';
import { ESPEAK_LANGUAGE_VOICES } from './voices.ts';

let espeak: EspeakPhonemes;
beforeAll(async () => {
  espeak = await openEspeakPhonemes();
});

const settings = (language: LanguageCode) => ({ voice: `${ESPEAK_LANGUAGE_VOICES[language]}+f3`, rate: 175, pitch: DEFAULT_PITCH, range: DEFAULT_RANGE });

/** Said alike: the speech as long within 2%, and its spectra as close as two takes of one pronunciation. */
const sameSpeech = (a: Int16Array, b: Int16Array) =>
  Math.abs(spoken(a).length - spoken(b).length) <= 0.02 * spoken(a).length && spectralDistance(a, b) < SAME_SOUND_DB;

// Words the table was not made from (ipa-table.generate.ts has its own).
const CHECK_WORDS: Record<LanguageCode, string[]> = {
  en: ['strength', 'judgment', 'thorough', 'vision', 'boyhood', 'outside', 'careful', 'mirror', 'nature', 'rhythm'],
  zh: ['苹果', '电话', '跑步', '女孩', '春天', '说话'],
  ja: ['さくら', 'きっぷ', 'しゅくだい', 'おちゃ', 'ふね'],
  ko: ['사과', '바람', '꽃잎', '읽기', '친절'],
  de: ['Schmetterling', 'Eichhörnchen', 'Flughafen', 'Zucker', 'Bäume'],
  fr: ['grenouille', 'champignon', 'voiture', 'heureux', 'brun'],
  ru: ['щётка', 'журнал', 'цветок', 'подъезд', 'медведь'],
  pt: ['coelho', 'manhã', 'chuveiro', 'gente', 'leão'],
  es: ['jirafa', 'zanahoria', 'cerveza', 'llorar', 'guitarra'],
  it: ['ghiaccio', 'scienza', 'giardino', 'bottiglia', 'zucchero'],
  ar: ['قمر', 'شمس', 'طريق', 'ضيف', 'خريف'],
};

describe('ipaToEspeak', () => {
  it('reads IPA as espeak writes it: affricates, diphthongs, stress, length, ties', () => {
    expect(ipaToEspeak('ˈsiːkwəl', 'en')).toEqual({ mnemonics: "'si:kw@L", unplaced: [] });
    expect(ipaToEspeak('t͡ʃɜːt͡ʃ', 'en').mnemonics).toBe('tS3:tS');
    expect(ipaToEspeak('təˈmeɪtoʊ', 'en').mnemonics).toBe("t@'meItoU");
    expect(ipaToEspeak('ˈhɛloʊ ˈwɝld', 'en').mnemonics).toBe("'hEloU 'w3:ld");
    expect(ipaToEspeak('bɔ̃ʒuʁ', 'fr').mnemonics).toBe('bO~Zur');
  });

  it('says a sound the voice lacks as the nearest it has, and reports what it cannot place', () => {
    expect(ipaToEspeak('rɛd', 'en').mnemonics).toBe('rEd'); // a trilled r as English r
    expect(ipaToEspeak('pʰɪt', 'en').mnemonics).toBe('pIt'); // aspiration is English's own
    expect(ipaToEspeak('ˈnəʊ', 'en').mnemonics).toBe("'noU"); // British "no" in the US voice
    expect(ipaToEspeak('ʘa', 'en')).toEqual({ mnemonics: 'a', unplaced: ['ʘ'] });
  });

  it("writes a Mandarin syllable's tone after its vowel, as espeak's tone numbers", () => {
    expect(ipaToEspeak('ni˨˩˦ xaʊ˨˩˦', 'zh').mnemonics).toBe('ni214 Xau214');
    expect(ipaToEspeak('tɕiŋ˥', 'zh').mnemonics).toBe('tS;i55N');
    expect(ipaToEspeak('ʂʅ˥˩', 'zh').mnemonics).toBe('s.i.51');
  });

  it.each(LANGUAGE_CODES)("turns espeak's own IPA for %s words back into speech that sounds as espeak's own", (language) => {
    let checked = 0;
    for (const word of CHECK_WORDS[language]) {
      const said = espeak.words(word, ESPEAK_LANGUAGE_VOICES[language]);
      if (!said) continue; // the two notations did not split alike: nothing to compare phoneme for phoneme
      const ipa = said.map((phonemes) => phonemes.ipa.join('')).join(' ');
      // Phonemes espeak writes no IPA for (Italian's short schwa between consonants) are not in the IPA to convert.
      const own = said.map((phonemes) => phonemes.mnemonics.filter((_, i) => phonemes.ipa[i] !== '').join('')).join(' ');
      const converted = ipaToEspeak(ipa, language);
      expect(converted.unplaced, `${word} /${ipa}/`).toEqual([]);
      const ownSpeech = espeak.speak(`[[${own}]]`, settings(language));
      const convertedSpeech = espeak.speak(`[[${converted.mnemonics}]]`, settings(language));
      expect.soft({ word, ipa, own, converted: converted.mnemonics, same: sameSpeech(ownSpeech, convertedSpeech) }).toMatchObject({ same: true });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it("says a made-up word given in IPA as espeak's own phoneme input for it, and a different word differently", () => {
    const english = settings('en');
    const own = espeak.speak("[[bl'INk@t,O@f]]", english);
    const fromIpa = espeak.speak(`[[${ipaToEspeak('ˈblɪŋkəˌtɔːɹf', 'en').mnemonics}]]`, english);
    expect(sameSpeech(own, fromIpa)).toBe(true);
    // The measure tells a one-sound change apart, so it would catch a wrong table entry.
    for (const different of ["[[bl'aNk@t,O@f]]", "[[bl'INk@d,O@f]]"]) expect(sameSpeech(own, espeak.speak(different, english))).toBe(false);
  });
});
