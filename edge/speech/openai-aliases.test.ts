import { describe, expect, it } from 'vitest';
import { LANGUAGE_CODES } from '../../shared/languages.ts';
import type { ModelInfo, VoiceInfo } from '../../shared/schemas/catalog.ts';
import { aliasTableFrom } from './openai-alias-table.ts';
import { OpenAiAliases } from './openai-aliases.ts';

const model = (id: string, voices: VoiceInfo[], languages: string[] = LANGUAGE_CODES): ModelInfo => ({
  id,
  engine: id,
  description: id,
  languages,
  sample_rate: 24_000,
  capabilities: { streaming: true, clone: 'none', design: 'none', instructions: false, seed: false, deterministic: false, phonemes: false, emphasis: false },
  default_voice: voices[0]!.id,
  voices,
  version: '',
});

const voice = (id: string, gender: VoiceInfo['gender'], language: string): VoiceInfo => ({ id, name: id, gender, language });

// As the espeak engine lists its presets: a female and a male voice per language, then British English.
const ESPEAK = model('espeak', [
  ...LANGUAGE_CODES.flatMap((language) => [voice(`${language}-female`, 'female', language), voice(`${language}-male`, 'male', language)]),
  voice('en-gb-female', 'female', 'en'),
  voice('en-gb-male', 'male', 'en'),
]);

// The preset speakers of a Qwen3-TTS CustomVoice pack, as `models manifest` lists them.
const QWEN3_CUSTOM_VOICE = model(
  'qwen3-tts-0.6b-customvoice',
  [
    voice('serena', 'female', 'zh'),
    voice('vivian', 'female', 'zh'),
    voice('uncle_fu', 'male', 'zh'),
    voice('dylan', 'male', 'zh'),
    voice('eric', 'male', 'zh'),
    voice('ryan', 'male', 'en'),
    voice('aiden', 'male', 'en'),
    voice('ono_anna', 'female', 'ja'),
    voice('sohee', 'female', 'ko'),
  ],
  LANGUAGE_CODES.filter((code) => code !== 'ar'),
);

const QWEN3_BASE = model('qwen3-tts-0.6b-base', [voice('default', 'neutral', 'en')]);

const defaults = new OpenAiAliases(aliasTableFrom(undefined));

describe('OpenAI voice names', () => {
  it("choose the model's preset of the voice's gender in the text's language", () => {
    expect(defaults.voice('alloy', ESPEAK, 'zh')).toBe('zh-female');
    expect(defaults.voice('alloy', ESPEAK, 'en')).toBe('en-female');
    expect(defaults.voice('onyx', ESPEAK, 'de')).toBe('de-male');
    expect(defaults.voice('echo', QWEN3_CUSTOM_VOICE, 'en')).toBe('ryan');
    expect(defaults.voice('nova', QWEN3_CUSTOM_VOICE, 'ja')).toBe('ono_anna');
  });

  it('fall back to a preset of that gender in another language, then to the default voice', () => {
    expect(defaults.voice('onyx', QWEN3_CUSTOM_VOICE, 'fr')).toBe('uncle_fu');
    expect(defaults.voice('shimmer', QWEN3_CUSTOM_VOICE, 'en')).toBe('serena');
    expect(defaults.voice('cedar', QWEN3_BASE, 'en')).toBe('default');
  });

  it("are all OpenAI's, and nothing else", () => {
    const names = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];
    expect(names.every((name) => defaults.isVoice(name))).toBe(true);
    expect(defaults.isVoice('en-female')).toBe(false);
    expect(defaults.voice('en-female', ESPEAK, 'en')).toBeUndefined();
    const genders = names.map((name) => ESPEAK.voices.find((v) => v.id === defaults.voice(name, ESPEAK, 'en'))?.gender);
    expect(genders).toEqual(['female', 'male', 'male', 'female', 'male', 'male', 'female', 'male', 'female', 'female', 'male', 'female', 'male']);
  });
});

describe('OpenAI model names', () => {
  const served = ['espeak', 'qwen3-tts-0.6b-base', 'qwen3-tts-0.6b-customvoice'];

  it('stand for the first preferred model the pool serves', () => {
    expect(defaults.model('tts-1', served, 'espeak')).toBe('qwen3-tts-0.6b-customvoice');
    expect(defaults.model('tts-1-hd', served, 'espeak')).toBe('qwen3-tts-0.6b-customvoice');
    expect(defaults.model('gpt-4o-mini-tts', [...served, 'qwen3-tts-1.7b-customvoice'], 'espeak')).toBe('qwen3-tts-1.7b-customvoice');
    expect(defaults.model('tts-1', ['espeak'], 'espeak')).toBe('espeak');
  });

  it("stand for the deployment's default model when none of them is served", () => {
    expect(defaults.model('tts-1-hd', ['qwen3-tts-tiny'], 'qwen3-tts-tiny')).toBe('qwen3-tts-tiny');
  });

  it('leave other names, and a served model of the same name, alone', () => {
    expect(defaults.model('espeak', served, 'espeak')).toBeUndefined();
    expect(defaults.model('tts-1', ['tts-1', 'espeak'], 'espeak')).toBeUndefined();
  });

  it('are listed with the models they stand for', () => {
    expect(defaults.listModels(['espeak'], 'espeak')).toEqual([
      { alias: 'tts-1', model: 'espeak' },
      { alias: 'tts-1-hd', model: 'espeak' },
      { alias: 'gpt-4o-mini-tts', model: 'espeak' },
    ]);
  });
});

describe('OPENAI_ALIASES', () => {
  it('overrides the table name by name', () => {
    const aliases = new OpenAiAliases(
      aliasTableFrom(
        JSON.stringify({
          models: { 'tts-1': ['qwen3-tts-tiny'], 'my-tts': ['espeak'] },
          voices: { alloy: { presets: { espeak: 'en-gb-female' } }, onyx: { gender: 'female' }, robot: { gender: 'male' } },
        }),
      ),
    );
    expect(aliases.model('tts-1', ['espeak', 'qwen3-tts-tiny'], 'espeak')).toBe('qwen3-tts-tiny');
    expect(aliases.model('my-tts', ['espeak'], 'espeak')).toBe('espeak');
    expect(aliases.model('tts-1-hd', ['espeak', 'qwen3-tts-0.6b-base'], 'espeak')).toBe('qwen3-tts-0.6b-base');
    expect(aliases.voice('alloy', ESPEAK, 'zh')).toBe('en-gb-female');
    // A preset named for another model does not apply; the gender still does.
    expect(aliases.voice('alloy', QWEN3_CUSTOM_VOICE, 'zh')).toBe('serena');
    expect(aliases.voice('onyx', ESPEAK, 'fr')).toBe('fr-female');
    expect(aliases.voice('robot', ESPEAK, 'it')).toBe('it-male');
  });

  it('ignores a configured preset the model does not have', () => {
    const aliases = new OpenAiAliases(aliasTableFrom('{ "voices": { "ash": { "presets": { "espeak": "no-such-voice" } } } }'));
    expect(aliases.voice('ash', ESPEAK, 'es')).toBe('es-male');
  });

  it('unset or blank is the table in code', () => {
    expect(aliasTableFrom(undefined)).toBe(aliasTableFrom(' '));
    expect(new OpenAiAliases(aliasTableFrom('')).model('tts-1', ['espeak'], 'espeak')).toBe('espeak');
  });

  it.each([
    ['{ "models": ', /^OPENAI_ALIASES: not valid JSON/],
    ['{ "models": { "tts-1": "espeak" } }', /^OPENAI_ALIASES: models\.tts-1: .*expected array/],
    ['{ "models": { "tts-1": [] } }', /^OPENAI_ALIASES: models\.tts-1: /],
    ['{ "voices": { "alloy": { "gender": "robot" } } }', /^OPENAI_ALIASES: voices\.alloy\.gender: /],
    ['{ "voices": { "alloy": { "preset": { "espeak": "en-female" } } } }', /^OPENAI_ALIASES: voices\.alloy: Unrecognized key: "preset"/],
    ['{ "modles": {} }', /^OPENAI_ALIASES: \(top level\): Unrecognized key: "modles"/],
    ['{ "voices": { "robot": { "presets": { "espeak": "en-male" } } } }', /^OPENAI_ALIASES: voices\.robot\.gender: required/],
  ])('refuses %s, naming the key at fault', (json, message) => {
    expect(() => aliasTableFrom(json)).toThrow(message);
  });
});
