import type { LanguageCode } from '../../shared/languages.ts';

/** What a designed voice says in its preview when the request gives no `preview_text`. */
export const PREVIEW_TEXT: Record<LanguageCode, string> = {
  en: 'Hello! This is how I sound. I can read your stories, your news and your messages aloud.',
  zh: '你好！这就是我的声音。我可以为你朗读故事、新闻和消息。',
  ja: 'こんにちは。これが私の声です。物語やニュース、メッセージを読み上げます。',
  ko: '안녕하세요! 이것이 제 목소리입니다. 이야기와 뉴스, 메시지를 읽어 드릴 수 있어요.',
  de: 'Hallo! So klinge ich. Ich kann Ihnen Geschichten, Nachrichten und Mitteilungen vorlesen.',
  fr: 'Bonjour ! Voici ma voix. Je peux vous lire des histoires, des nouvelles et vos messages.',
  ru: 'Здравствуйте! Вот так звучит мой голос. Я могу читать вслух истории, новости и сообщения.',
  pt: 'Olá! É assim que eu soo. Posso ler em voz alta histórias, notícias e mensagens.',
  es: '¡Hola! Así suena mi voz. Puedo leer en voz alta historias, noticias y mensajes.',
  it: 'Ciao! Ecco come suona la mia voce. Posso leggere ad alta voce storie, notizie e messaggi.',
  ar: 'مرحبا! هذا هو صوتي. يمكنني أن أقرأ لك القصص والأخبار والرسائل.',
};
