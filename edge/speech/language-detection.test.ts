import { describe, expect, it } from 'vitest';
import { LANGUAGE_CODES } from '../../shared/languages.ts';
import { detectLanguages } from './language-detection.ts';

const ALL = { candidates: LANGUAGE_CODES, fallback: 'en' };
const joined = (segments: { text: string }[]) => segments.map((s) => s.text).join('');

describe('detectLanguages', () => {
  it.each([
    ['zh', '今天天气很好，我们一起去公园散步吧。'],
    ['ja', '今日はとても良い天気ですね。一緒に散歩に行きましょう。'],
    ['ko', '오늘 날씨가 정말 좋네요. 같이 산책하러 갈까요?'],
    ['ar', 'مرحبا، كيف حالك اليوم؟ الطقس جميل جدا.'],
    ['ru', 'Привет, как у тебя дела сегодня? Погода очень хорошая.'],
    ['en', 'The weather is lovely today, so we are going for a walk in the park.'],
    ['de', 'Das Wetter ist heute herrlich, deshalb gehen wir im Park spazieren.'],
    ['fr', "Il fait très beau aujourd'hui, alors nous allons nous promener dans le parc."],
    ['pt', 'O tempo está ótimo hoje, então vamos passear no parque.'],
    ['es', 'Hoy hace muy buen tiempo, así que vamos a pasear por el parque.'],
    ['it', 'Oggi il tempo è bellissimo, quindi andiamo a fare una passeggiata nel parco.'],
  ])('finds %s', (language, text) => {
    expect(detectLanguages(text, ALL)).toEqual({ segments: [{ text, language }], detected: [language] });
  });

  it('cuts a text where its language changes, keeping the space with the sentence before it', () => {
    const text = 'I would like a cup of coffee with milk, please. Ich möchte bitte eine Tasse Kaffee mit Milch.';
    expect(detectLanguages(text, ALL)).toEqual({
      segments: [
        { text: 'I would like a cup of coffee with milk, please. ', language: 'en' },
        { text: 'Ich möchte bitte eine Tasse Kaffee mit Milch.', language: 'de' },
      ],
      detected: ['en', 'de'],
    });
  });

  it('ends sentences at CJK and Arabic full stops', () => {
    const text = 'مرحبا، كيف حالك اليوم يا صديقي؟今天天气很好，我们一起去公园散步吧！오늘 날씨가 정말 좋네요。';
    expect(detectLanguages(text, ALL).detected).toEqual(['ar', 'zh', 'ko']);
  });

  it('gives a sentence with no answer the language of the one before it, else of the one after', () => {
    const text = 'OK. Das Wetter ist heute herrlich, wir gehen spazieren. OK. 2024. The weather is lovely today, so we go out.';
    expect(detectLanguages(text, ALL).segments).toEqual([
      { text: 'OK. Das Wetter ist heute herrlich, wir gehen spazieren. OK. 2024. ', language: 'de' },
      { text: 'The weather is lovely today, so we go out.', language: 'en' },
    ]);
  });

  it('gives a short sentence in its neighbours\u2019 script their language', () => {
    // On its own, tinyld reads "Call me later." as Spanish.
    const text = 'I will be in meetings all afternoon today. Call me later. Thanks again for your patience with this.';
    expect(detectLanguages(text, ALL).segments).toEqual([{ text, language: 'en' }]);
  });

  it('keeps a short sentence in another script apart', () => {
    const text = 'I will be in meetings all afternoon today. 谢谢你。 Thanks again for your patience with this.';
    const { segments, detected } = detectLanguages(text, ALL);
    expect(segments.map((s) => s.language)).toEqual(['en', 'zh', 'en']);
    expect(detected).toEqual(['en', 'zh']);
  });

  it('uses the fallback when nothing can be detected', () => {
    expect(detectLanguages('OK. 12345!', { candidates: LANGUAGE_CODES, fallback: 'fr' })).toEqual({
      segments: [{ text: 'OK. 12345!', language: 'fr' }],
      detected: ['fr'],
    });
    expect(detectLanguages('', ALL).segments).toEqual([{ text: '', language: 'en' }]);
  });

  it('chooses only among the candidates', () => {
    const text = "Il fait très beau aujourd'hui, alors nous allons nous promener dans le parc. Bonjour à tous.";
    const { segments, detected } = detectLanguages(text, { candidates: ['en', 'de'], fallback: 'en' });
    expect(detected.every((language) => ['en', 'de'].includes(language))).toBe(true);
    expect(joined(segments)).toBe(text);
  });

  it('gives back the input character for character, whitespace included', () => {
    const text = '  Hello there, how are you doing today?\n\n今天天气很好。  Guten Tag, wie geht es Ihnen heute?\t\n';
    const { segments } = detectLanguages(text, ALL);
    expect(joined(segments)).toBe(text);
    expect(segments.map((s) => s.language)).toEqual(['en', 'zh', 'de']);
  });

  it('reads a 4096-character input of four languages whole, each in its language', () => {
    const paragraph =
      'The weather is lovely today, so we are going for a walk in the park. ' +
      'Das Wetter ist heute herrlich, deshalb gehen wir im Park spazieren. ' +
      '今天天气很好，我们一起去公园散步吧。' +
      'Hoy hace muy buen tiempo, así que vamos a pasear por el parque. ';
    const text = paragraph.repeat(Math.ceil(4096 / paragraph.length)).slice(0, 4096);
    // How long it takes is bench material (README, Known limits: 20 to 50 ms of CPU).
    const { segments } = detectLanguages(text, ALL);
    expect(joined(segments)).toBe(text);
    expect(new Set(segments.map((s) => s.language))).toEqual(new Set(['en', 'de', 'zh', 'es']));
  });
});
