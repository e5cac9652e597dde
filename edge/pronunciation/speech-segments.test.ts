import { describe, expect, it } from 'vitest';
import type { SpeechScript } from './script.ts';
import { plainTextScript } from './script.ts';
import { type SegmentOptions, speechSegments } from './speech-segments.ts';

// Detection by script: Latin is English, Cyrillic Russian; cut at each '.', like the real one cuts at sentences.
const detect: SegmentOptions['detect'] = (text) => {
  const segments: { text: string; language: string }[] = [];
  for (const sentence of text.match(/[^.]+\.?/gu) ?? [text]) {
    const language = /\p{sc=Cyrillic}/u.test(sentence) ? 'ru' : 'en';
    const last = segments.at(-1);
    if (last?.language === language) last.text += sentence;
    else segments.push({ text: sentence, language });
  }
  return { segments };
};
const options = (overrides: Partial<SegmentOptions> = {}): SegmentOptions => ({
  language: undefined,
  checkLanguage: (language) => {
    if (language === 'xx') throw new Error('unsupported');
    return language;
  },
  detect,
  fallback: 'en',
  capabilities: { phonemes: true, emphasis: true },
  ...overrides,
});

describe('speechSegments', () => {
  it('leaves plain text to the worker as before: no segments in one language, language parts when detected', () => {
    expect(speechSegments(plainTextScript('Hello there.'), 'Hello there.', options({ language: 'en' }))).toEqual({
      language: 'en',
      segments: undefined,
      detected: undefined,
      notHonored: [],
    });
    const mixed = speechSegments(plainTextScript('Hello. Привет.'), 'Hello. Привет.', options());
    expect(mixed.segments).toEqual([
      { text: 'Hello.', language: 'en' },
      { text: ' Привет.', language: 'ru' },
    ]);
    expect(mixed.detected).toEqual(['en', 'ru']);
  });

  it('carries replaced runs, rates and pauses with their sources', () => {
    const input = '<speak>I use <sub alias="sequel">SQL</sub>.<break time="1s"/><prosody rate="slow">Bye</prosody></speak>';
    const script: SpeechScript = {
      format: 'ssml',
      characters: 14,
      items: [
        { kind: 'text', text: 'I use sequel.', source: [{ length: 6, input_start: 7 }, { length: 6, input_start: 37, replaces: 3 }, { length: 1, input_start: 46 }] },
        { kind: 'pause', ms: 1000 },
        { kind: 'text', text: 'Bye', rate: 0.8, source: [{ length: 3, input_start: 87 }] },
      ],
    };
    const spoken = speechSegments(script, input, options({ language: 'en' }));
    expect(spoken.segments).toEqual([
      { text: 'I use sequel.', language: 'en', source: script.items[0]!.kind === 'text' ? script.items[0]!.source : [] },
      { pause_ms: 1000 },
      { text: 'Bye', language: 'en', rate: 0.8, source: [{ length: 3, input_start: 87 }] },
    ]);
    expect(spoken.detected).toBeUndefined();
  });

  it('says phonemes and emphasis as plain text where the model cannot, and lists them', () => {
    const input = 'A blicket!';
    const script: SpeechScript = {
      format: 'text',
      characters: 10,
      items: [{ kind: 'text', text: input, emphasis: true, source: [{ length: 2, input_start: 0 }, { length: 7, input_start: 2, replaces: 7, ipa: 'ˈblɪkɪt' }, { length: 1, input_start: 9 }] }],
    };
    const spoken = speechSegments(script, input, options({ language: 'en', capabilities: { phonemes: false, emphasis: false } }));
    expect(spoken.segments).toEqual([{ text: input, language: 'en', source: [{ length: 2, input_start: 0 }, { length: 7, input_start: 2, replaces: 7 }, { length: 1, input_start: 9 }] }]);
    expect(spoken.notHonored).toEqual([
      { kind: 'emphasis', char_start: 0, char_end: 10, text: 'A blicket!' },
      { kind: 'phoneme', char_start: 2, char_end: 9, text: 'blicket' },
    ]);
    const honoured = speechSegments(script, input, options({ language: 'en' }));
    expect(honoured.notHonored).toEqual([]);
    expect(honoured.segments).toEqual([{ text: input, language: 'en', emphasis: true, source: script.items[0]!.kind === 'text' ? script.items[0]!.source : [] }]);
  });

  it('detects across stretches, cutting verbatim runs with their offsets and never inside a replacement', () => {
    // "Ok SQL. Привет." with SQL replaced by an alias whose end is a sentence's: said whole, in the language before it.
    const input = 'Ok SQL. Привет.';
    const script: SpeechScript = {
      format: 'text',
      characters: 15,
      items: [{ kind: 'text', text: 'Ok e.s. Привет.', source: [{ length: 3, input_start: 0 }, { length: 4, input_start: 3, replaces: 3 }, { length: 8, input_start: 6 }] }],
    };
    const spoken = speechSegments(script, input, options());
    expect(spoken.segments).toEqual([
      { text: 'Ok e.s.', language: 'en', source: [{ length: 3, input_start: 0 }, { length: 4, input_start: 3, replaces: 3 }] },
      { text: ' Привет.', language: 'ru', source: [{ length: 8, input_start: 6 }] },
    ]);
    expect(spoken.detected).toEqual(['en', 'ru']);
  });

  it('takes a language the script names, checked against the model', () => {
    const script: SpeechScript = { format: 'ssml', characters: 4, items: [{ kind: 'text', text: 'Hallo', language: 'xx', source: [{ length: 5, input_start: 0 }] }] };
    expect(() => speechSegments(script, 'Hallo', options())).toThrow('unsupported');
  });

  it('speaks a script of pauses alone in the fallback language', () => {
    const script: SpeechScript = { format: 'ssml', characters: 0, items: [{ kind: 'pause', ms: 500 }] };
    expect(speechSegments(script, '<speak><break time="500ms"/></speak>', options())).toMatchObject({ language: 'en', segments: [{ pause_ms: 500 }] });
  });
});
