import { describe, expect, it } from 'vitest';
import { readElevenLabsModels } from './model-table.ts';

const tableFrom = (json?: string) => {
  const read = readElevenLabsModels(json);
  if ('problem' in read) throw new Error(read.problem);
  return read.table;
};
const defaults = tableFrom();

const ALL_PACKS = ['espeak', 'qwen3-tts-0.6b-customvoice', 'qwen3-tts-0.6b-base', 'qwen3-tts-1.7b-customvoice', 'qwen3-tts-1.7b-base'];
const QUALITY = ['eleven_multilingual_v2', 'eleven_v3', 'eleven_monolingual_v1', 'eleven_multilingual_v1'];
const FAST = ['eleven_flash_v2_5', 'eleven_turbo_v2_5', 'eleven_flash_v2', 'eleven_turbo_v2'];

describe("ElevenLabs' model ids", () => {
  it('are every model ElevenLabs offers for speech', () => {
    expect(defaults.names().sort()).toEqual([...QUALITY, ...FAST].sort());
  });

  it('quality models prefer the 1.7B packs, fast ones the 0.6B packs; all end at espeak', () => {
    for (const name of QUALITY) expect(defaults.model(name, ALL_PACKS, 'espeak'), name).toBe('qwen3-tts-1.7b-customvoice');
    for (const name of FAST) expect(defaults.model(name, ALL_PACKS, 'espeak'), name).toBe('qwen3-tts-0.6b-customvoice');
    expect(defaults.model('eleven_v3', ['espeak', 'qwen3-tts-0.6b-base'], 'espeak')).toBe('qwen3-tts-0.6b-base');
    for (const name of [...QUALITY, ...FAST]) expect(defaults.model(name, ['espeak'], 'espeak'), name).toBe('espeak');
  });

  it("stand for the deployment's default when none of their models is served; a served id or another name is left alone", () => {
    expect(defaults.model('eleven_flash_v2_5', ['qwen3-tts-tiny'], 'qwen3-tts-tiny')).toBe('qwen3-tts-tiny');
    expect(defaults.model('espeak', ALL_PACKS, 'espeak')).toBeUndefined();
    expect(defaults.model('tts-1', ALL_PACKS, 'espeak')).toBeUndefined();
  });

  it('prefer, among those served, one that fits (a model that has the voice), the default included', () => {
    const served = ['espeak', 'qwen3-tts-1.7b-customvoice', 'qwen3-tts-tiny'];
    expect(defaults.model('eleven_multilingual_v2', served, 'espeak', (id) => id === 'espeak')).toBe('espeak');
    expect(defaults.model('eleven_multilingual_v2', served, 'qwen3-tts-tiny', (id) => id !== 'qwen3-tts-1.7b-customvoice')).toBe('espeak');
    // None of those fits: another served model that does; none at all, the first preferred (the voice is then refused for it).
    expect(defaults.model('eleven_multilingual_v2', served, 'espeak', (id) => id === 'qwen3-tts-tiny')).toBe('qwen3-tts-tiny');
    expect(defaults.model('eleven_multilingual_v2', served, 'espeak', () => false)).toBe('qwen3-tts-1.7b-customvoice');
  });

  it('are listed with the model each stands for', () => {
    expect(defaults.list(['espeak'], 'espeak')).toEqual([...QUALITY.slice(0, 2), ...FAST, ...QUALITY.slice(2)].map((name) => ({ name, model: 'espeak' })));
  });
});

describe('ELEVENLABS_MODELS', () => {
  it('overrides the table id by id, and may add ids', () => {
    const table = tableFrom('{ "eleven_v3": ["qwen3-tts-tiny"], "my_model": ["espeak"] }');
    expect(table.model('eleven_v3', ['espeak', 'qwen3-tts-tiny'], 'espeak')).toBe('qwen3-tts-tiny');
    expect(table.model('my_model', ['espeak'], 'espeak')).toBe('espeak');
    expect(table.model('eleven_turbo_v2', ['espeak', 'qwen3-tts-0.6b-base'], 'espeak')).toBe('qwen3-tts-0.6b-base');
  });

  it('unset or blank is the table in code', () => {
    expect(tableFrom(' ')).toBe(defaults);
  });

  it.each([
    ['{ "eleven_v3": ', /^not valid JSON/],
    ['{ "eleven_v3": "espeak" }', /^eleven_v3: .*expected array/],
    ['{ "eleven_v3": [] }', /^eleven_v3: /],
    ['["espeak"]', /^\(top level\): /],
  ])('refuses %s, naming the key at fault', (json, message) => {
    const read = readElevenLabsModels(json);
    expect('problem' in read && read.problem).toMatch(message);
  });
});
