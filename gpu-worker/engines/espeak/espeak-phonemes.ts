/**
 * espeak's own transcription of words, in both of its notations, phoneme by phoneme: what the IPA
 * table (ipa-table.ts) is made from and what its tests check it against. Runs espeak-ng in the
 * calling thread: for scripts and tests, not for serving.
 */
import createEspeak from '@echogarden/espeak-ng-emscripten';

interface PhonemeWorker {
  set_voice(name: string): number;
  rate: number;
  pitch: number;
  range: number;
  synthesize(text: string, callback: (samples: Int16Array | undefined) => boolean): void;
  /** Phoneme mnemonics of the text's first clause, phonemes joined by `_`, words by spaces (a pointer to UTF-8). */
  text_to_phonemes(text: string, mode: number): { ptr: number };
  /** Synthesizes the text and answers its phonemes in IPA, joined the same way. */
  synthesize_and_get_phonemes(text: string, callback: () => boolean): string;
}

/**
 * espeak's Mandarin IPA writes a syllable's tone as its first digit (or `ɜ`) after the vowel, and
 * some sounds its own way; the mnemonics have the whole tone (`uo214`). Here the IPA is written as
 * IPA: the sound's letters, then the tone in Chao tone letters (˨˩˦).
 */
const MANDARIN_IPA: Array<[RegExp, string]> = [
  [/^ts\.h$/u, 'tʂh'],
  [/^ts\.$/u, 'tʂ'],
  [/^s\.$/u, 'ʂ'],
  [/^i\.$/u, 'ʅ'],
  [/^i̪$/u, 'ɿ'],
  [/^o-$/u, 'ɤ'],
];
const TONE_LETTERS = ['', '˩', '˨', '˧', '˦', '˥'];

function mandarinIpa(ipa: string, mnemonic: string): string {
  const stress = /^[ˈˌ]*/u.exec(ipa)![0];
  let sound = ipa.slice(stress.length).replace(/(\d+|ɜ)$/u, '');
  for (const [written, letters] of MANDARIN_IPA) sound = sound.replace(written, letters);
  const tone = /\d+$/u.exec(mnemonic)?.[0] ?? '';
  return stress + sound + [...tone].map((digit) => TONE_LETTERS[Number(digit)]).join('');
}

/** One word as espeak says it: the same phonemes in IPA and in espeak's mnemonics, one for one. */
export interface WordPhonemes {
  ipa: string[];
  mnemonics: string[];
}

/** espeak's settings for a voice, as the engine sets them (engine.ts, jobSettings). */
export interface VoiceSettings {
  voice: string;
  rate: number;
  pitch: number;
  range: number;
}

export interface EspeakPhonemes {
  /** The text (espeak's SSML, `[[...]]` for phonemes) as the voice says it. */
  speak(text: string, settings: VoiceSettings): Int16Array;
  /**
   * The words of `text` as the voice transcribes them, or undefined where the two notations do not
   * split alike (espeak's `_` is also a phoneme, a pause) or espeak switched language for them.
   */
  words(text: string, voice: string): WordPhonemes[] | undefined;
}

export async function openEspeakPhonemes(): Promise<EspeakPhonemes> {
  const module = (await createEspeak()) as unknown as { eSpeakNGWorker: new () => PhonemeWorker; HEAPU8: Uint8Array };
  const espeak = new module.eSpeakNGWorker();
  const utf8 = (pointer: number) => {
    let end = pointer;
    while (module.HEAPU8[end] !== 0) end++;
    return Buffer.from(module.HEAPU8.subarray(pointer, end)).toString('utf8');
  };
  const setVoice = (voice: string) => {
    if (espeak.set_voice(voice) !== 0) throw new Error(`espeak has no voice "${voice}".`);
  };
  return {
    speak(text, settings) {
      setVoice(settings.voice);
      espeak.rate = settings.rate;
      espeak.pitch = settings.pitch;
      espeak.range = settings.range;
      const blocks: Int16Array[] = [];
      espeak.synthesize(text, (samples) => {
        if (samples) blocks.push(samples);
        return false;
      });
      const all = new Int16Array(blocks.reduce((sum, block) => sum + block.length, 0));
      let at = 0;
      for (const block of blocks) {
        all.set(block, at);
        at += block.length;
      }
      return all;
    },
    words(text, voice) {
      setVoice(voice);
      const mnemonics = utf8(espeak.text_to_phonemes(text, 0).ptr).trim();
      const ipa = espeak.synthesize_and_get_phonemes(text, () => false).trim();
      // "(en)": espeak said the word with another language's rules.
      if (mnemonics.includes('(') || ipa.includes('(')) return undefined;
      const ipaWords = ipa.split(/\s+/u);
      const mnemonicWords = mnemonics.split(/\s+/u);
      if (ipaWords.length !== mnemonicWords.length) return undefined;
      const words: WordPhonemes[] = [];
      for (const [i, word] of ipaWords.entries()) {
        // `|` marks a syllable's end in the mnemonics and has no IPA at all.
        const pair = { ipa: word.split('_'), mnemonics: mnemonicWords[i]!.split('_').filter((phoneme) => phoneme !== '|') };
        if (pair.ipa.length !== pair.mnemonics.length) return undefined;
        if (voice.startsWith('cmn')) pair.ipa = pair.ipa.map((phoneme, j) => mandarinIpa(phoneme, pair.mnemonics[j]!));
        words.push(pair);
      }
      return words;
    },
  };
}
