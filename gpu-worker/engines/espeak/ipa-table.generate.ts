/**
 * Writes ipa-table.ts: for each language, each IPA phoneme espeak-ng's voice uses and the
 * mnemonic espeak reads it back from, taken from espeak's own transcriptions of the words below
 * (the same phoneme in IPA and in mnemonics, one for one; the mnemonic espeak uses most for an
 * IPA phoneme wins). The words are chosen to cover each language's sounds; ipa-to-espeak.test.ts
 * checks the table on other words.
 *
 *   node gpu-worker/engines/espeak/ipa-table.generate.ts
 */
import { writeFile } from 'node:fs/promises';
import { LANGUAGE_CODES, type LanguageCode } from '../../../shared/languages.ts';
import { openEspeakPhonemes } from './espeak-phonemes.ts';
import { phonemeContext } from './ipa-to-espeak.ts';
import { ESPEAK_LANGUAGE_VOICES } from './voices.ts';

const SAMPLE_WORDS: Record<LanguageCode, string> = {
  en: `the quick brown fox jumps over a lazy dog this thing that is church judge pleasure vision measure
    father bird nurse about button little sequel hello world yes young sing singer finger think then
    boy toy go home cow house near hair poor cure tour day face price high mouth choice goat thought
    north force lot cloth trap bath palm start strut foot goose fleece kit dress comma letter happy
    water better red right wrong very wine what when year usual azure genre loch jazz zoo shoe cheese
    garage orange ahead behind uh-oh hmm television computer beautiful banana tomato potato cat cut`,
  zh: `我们 今天 北京 上海 中国 你好 谢谢 朋友 学生 老师 吃饭 喝茶 飞机 火车 汽车 自行车 电脑 手机 音乐
    电影 天气 时间 工作 医生 日本 儿子 女儿 绿色 热 冷 快乐 四 十 七 八 九 六 五 三 二 一 雪 月 去 走
    想 说 看 听 写 读 爱 人 水 山 河 鱼 鸟 猫 狗 花 草 树 风 雨 云 星 光 黑 白 红 黄 蓝 春 夏 秋 冬`,
  // Kana only: espeak's Japanese voice reads kanji as "Chinese letter", in English.
  ja: `ありがとう ございます こんにちは さようなら すみません にほん とうきょう がっこう せんせい がくせい
    ともだち でんしゃ しんぶん とけい ちょっと じてんしゃ びょういん おちゃ りんご みかん すこし かんじ
    ひらがな カタカナ あめ ゆき やま かわ うみ そら はな とり ねこ いぬ さかな にく やさい みず ひ き
    きん つち つき ねん ひと おんな おとこ こども おおきい ちいさい あたらしい ふるい ふじさん つくえ
    ぎゅうにゅう ぴったり ばんごはん しゃしん じゅぎょう ラーメン コーヒー パン ヴァイオリン`,
  ko: `안녕하세요 감사합니다 사랑해요 한국 서울 학교 선생님 학생 친구 전화 컴퓨터 김치 불고기 비빔밥 물
    불 산 강 바다 하늘 꽃 새 고양이 개 물고기 고기 야채 빨리 천천히 크다 작다 좋다 나쁘다 읽다 쓰다
    듣다 말하다 먹다 마시다 자다 일어나다 오늘 내일 어제 시간 돈 책 의자 책상 창문 문 닭 밝다 짧다 꿈
    떡 빵 쌀 짜다`,
  de: `ich bin schön Bücher Straße Mädchen Brötchen Zeit Haus neu Leute Pferd Apfel zwei sechs Buch
    Nacht gut Vater Mutter Kinder Wasser Feuer Sonne Mond Stern Blume Baum Vogel Fisch Hund Katze
    heute morgen gestern Zug Bahn fahren gehen sehen hören sprechen lesen schreiben fünf elf zwölf
    Tschüss ja nein danke bitte Junge Lied Bett Stadt Land Wald Berg See Meer Regen Schnee Wind
    Sprache Österreich Schweiz Übung Ärger Löffel Küche rot grün`,
  fr: `bonjour merci un vin brun pain lune feu peur sœur fille famille oui lui nuit chat chien eau
    beau jaune rouge bleu vert blanc noir maison école garçon jardin enfant parler manger boire dormir
    gagner montagne soleil travail œil été père mère frère table chaise porte fenêtre ville pays
    monde temps heure jour semaine deux trois quatre cinq six sept huit neuf dix zéro agneau rue roue`,
  ru: `здравствуйте спасибо пожалуйста хорошо плохо мама папа брат сестра дом город улица машина
    хлеб молоко вода чай кофе мясо рыба яблоко сегодня завтра вчера время работа школа учитель ученик
    книга стол стул окно дверь один два три четыре пять шесть семь восемь девять десять щи жук цирк
    чистый мыло мыть большой маленький красный синий зелёный белый чёрный ёлка съесть любовь`,
  pt: `obrigado pão mãe irmão coração bom dia boa noite sim não casa cidade rua carro trem avião água
    leite café pão carne peixe fruta hoje amanhã ontem tempo trabalho escola professor aluno livro mesa
    cadeira janela porta um dois três quatro cinco seis sete oito nove dez filho filha milho olho
    rio carro rato chuva sol lua mar céu azul verde vermelho branco preto amarelo português`,
  es: `gracias por favor hola adiós perro pero casa ciudad calle coche tren avión agua leche café pan
    carne pescado fruta hoy mañana ayer tiempo trabajo escuela profesor alumno libro mesa silla
    ventana puerta uno dos tres cuatro cinco seis siete ocho nueve diez niño año llave lluvia sol
    luna mar cielo azul verde rojo blanco negro amarillo jamón gente hijo guerra zapato`,
  it: `grazie prego ciao arrivederci gnocchi pizza casa città strada macchina treno aereo acqua latte
    caffè pane carne pesce frutta oggi domani ieri tempo lavoro scuola professore libro tavolo sedia
    finestra porta uno due tre quattro cinque sei sette otto nove dieci figlio famiglia gelato giorno
    chiesa sciopero scena zio azzurro verde rosso bianco nero giallo bello tutto`,
  ar: `شكرا جزيلا مرحبا السلام عليكم صباح الخير مساء النور بيت مدينة شارع سيارة قطار طائرة ماء حليب قهوة
    خبز لحم سمك فاكهة اليوم غدا أمس وقت عمل مدرسة معلم طالب كتاب طاولة كرسي نافذة باب واحد اثنان ثلاثة
    أربعة خمسة ستة سبعة ثمانية تسعة عشرة ظهر ضوء صوت حب عين غرفة ذهب`,
};

const STRESS = /^[ˈˌ'",%=]+/u;
/** A Mandarin syllable's tone, after its vowel in both notations: the vowel without it is the phoneme. */
const TONE = /\d+$/u;
const IPA_TONE = /[˥˦˧˨˩]+$/u;

/** The most used of a sound's mnemonics, and how often. */
function mostUsed(counts: Map<string, number>): [string, number] {
  return [...counts].sort((a, b) => b[1] - a[1])[0]!;
}

/** A table's entries, sorted, several to a line: it is data, and a line each made a file of hundreds of lines. */
const entries = (table: Record<string, string>) => {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(table).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const entry = `${JSON.stringify(key)}: ${JSON.stringify(value)},`;
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + entry.length <= 96) lines[lines.length - 1] = `${last} ${entry}`;
    else lines.push(entry);
  }
  return lines.map((line) => `    ${line}`).join('\n');
};

async function main(): Promise<void> {
  const espeak = await openEspeakPhonemes();
  const table: Record<string, Record<string, string>> = {};
  const inContext: Record<string, Record<string, string>> = {};
  for (const language of LANGUAGE_CODES) {
    const counts = new Map<string, Map<string, number>>();
    const contextCounts = new Map<string, Map<string, number>>();
    const count = (map: Map<string, Map<string, number>>, key: string, mnemonic: string) => {
      const forKey = map.get(key) ?? new Map<string, number>();
      forKey.set(mnemonic, (forKey.get(mnemonic) ?? 0) + 1);
      map.set(key, forKey);
    };
    let skipped = 0;
    for (const word of SAMPLE_WORDS[language].split(/\s+/u).filter(Boolean)) {
      const said = espeak.words(word, ESPEAK_LANGUAGE_VOICES[language]);
      if (!said) {
        skipped++;
        continue;
      }
      for (const { ipa, mnemonics } of said) {
        const phonemes = ipa
          .map((phoneme, i) => {
            let key = phoneme.replace(STRESS, '').normalize('NFD');
            let mnemonic = mnemonics[i]!.replace(STRESS, '');
            if (language === 'zh') {
              key = key.replace(IPA_TONE, '');
              mnemonic = mnemonic.replace(TONE, '');
            }
            return { key, mnemonic };
          })
          // A phoneme with no IPA (a syllable mark, a pause) says nothing IPA can ask for.
          .filter(({ key, mnemonic }) => key !== '' && mnemonic !== '');
        for (const [i, { key, mnemonic }] of phonemes.entries()) {
          count(counts, key, mnemonic);
          count(contextCounts, `${key} ${phonemeContext(phonemes[i - 1]?.key, phonemes[i + 1]?.key)}`, mnemonic);
        }
      }
    }
    table[language] = Object.fromEntries([...counts].map(([key, forKey]) => [key, mostUsed(forKey)[0]]));
    // Where a sound has another mnemonic between certain neighbours (Spanish ɾ after a consonant), seen more than once.
    inContext[language] = Object.fromEntries(
      [...contextCounts].flatMap(([keyInContext, forKey]) => {
        const [mnemonic, uses] = mostUsed(forKey);
        return mnemonic !== table[language]![keyInContext.split(' ')[0]!] && uses > 1 ? [[keyInContext, mnemonic]] : [];
      }),
    );
    console.log(`${language}: ${counts.size} phonemes, ${Object.keys(inContext[language]!).length} in context (${skipped} words skipped)`);
  }
  const body = (tables: Record<string, Record<string, string>>) =>
    Object.entries(tables)
      .map(([language, phonemes]) => (Object.keys(phonemes).length === 0 ? `  ${language}: {},` : `  ${language}: {\n${entries(phonemes)}\n  },`))
      .join('\n');
  const source = `// Written by ipa-table.generate.ts from espeak-ng's own transcriptions: run it again rather than edit.
import type { LanguageCode } from '../../../shared/languages.ts';

/** Per language: an IPA phoneme (NFD, no stress) of espeak's voice, and the mnemonic espeak reads it from most. */
export const ESPEAK_IPA_TABLE: Record<LanguageCode, Record<string, string>> = {
${body(table)}
};

/** Per language: "phoneme context" (see phonemeContext in ipa-to-espeak.ts) where espeak uses another mnemonic. */
export const ESPEAK_IPA_IN_CONTEXT: Record<LanguageCode, Record<string, string>> = {
${body(inContext)}
};
`;
  await writeFile(new URL('./ipa-table.ts', import.meta.url), source);
}

await main();
