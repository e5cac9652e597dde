import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors.ts';
import { MAX_INPUT_CHARACTERS } from '../../shared/schemas/speech.ts';
import { inputFormatOf, readInputScript } from './request-script.ts';

const codeOf = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return (error as ApiError).code;
  }
  return 'none';
};

describe('reading a request’s input', () => {
  it('takes SSML where the input starts as an SSML document does, or the request says so', () => {
    expect(inputFormatOf({ input: '  <speak>Hi</speak>' })).toBe('ssml');
    expect(inputFormatOf({ input: '<?xml version="1.0"?><speak>Hi</speak>' })).toBe('ssml');
    expect(inputFormatOf({ input: '<!DOCTYPE speak [<!ENTITY a "a">]><speak>&a;</speak>' })).toBe('ssml');
    expect(inputFormatOf({ input: '<speaker> says hi' })).toBe('text');
    expect(inputFormatOf({ input: 'Type <speak> to start.' })).toBe('text');
    expect(inputFormatOf({ input: '<speak>Hi</speak>', input_format: 'text' })).toBe('text');
    expect(inputFormatOf({ input: 'Hi', input_format: 'ssml' })).toBe('ssml');
  });

  it('bills SSML by its text and holds the text, not the markup, to the limit', () => {
    const text = 'a'.repeat(MAX_INPUT_CHARACTERS);
    const script = readInputScript({ input: `<speak><s>${text}</s><break time="1s"/></speak>` });
    expect(script.characters).toBe(MAX_INPUT_CHARACTERS);
    expect(codeOf(() => readInputScript({ input: `<speak>${text}b</speak>` }))).toBe('input_too_long');
    expect(codeOf(() => readInputScript({ input: `${text}b` }))).toBe('input_too_long');
  });

  it('refuses SSML with nothing to say, and bad SSML, before anything else', () => {
    expect(codeOf(() => readInputScript({ input: '<speak> </speak>' }))).toBe('empty_input');
    expect(codeOf(() => readInputScript({ input: '<speak><break time="1s"/></speak>' }))).toBe('none');
    expect(codeOf(() => readInputScript({ input: '<speak><voice name="x">Hi</voice></speak>' }))).toBe('invalid_ssml');
    expect(codeOf(() => readInputScript({ input: '   ' }))).toBe('empty_input');
  });
});

describe('the language a say-as reads in when nothing names one', () => {
  const dateIn = (input: string) => {
    const [item] = readInputScript({ input }).items;
    return item!.kind === 'text' ? item!.text : '';
  };
  it('is English for a document too short to tell, the document’s own when it is long enough', () => {
    expect(dateIn('<speak>Mr Nguyen uses SQL on <say-as interpret-as="date" format="mdy">12/05/2026</say-as>.</speak>')).toContain('December');
    const german = 'Herr Nguyen benutzt die Datenbank jeden Tag, und er ist sehr zufrieden damit';
    expect(dateIn(`<speak>${german} seit dem <say-as interpret-as="date" format="dmy">05.12.2026</say-as>.</speak>`)).toContain('Dezember');
  });
});

describe('inline break and phoneme tags in plain text (as ElevenLabs takes them)', () => {
  it('are pauses and phoneme stretches, offsets and billing those of the text around them', () => {
    const input = 'Hello <break time="1s"/> world, a <phoneme alphabet="ipa" ph="ˈblɪkɪt">blicket</phoneme> & <b>more</b>.';
    const script = readInputScript({ input });
    expect(script.items.map((item) => item.kind)).toEqual(['text', 'pause', 'text']);
    expect(script.items[1]).toEqual({ kind: 'pause', ms: 1000 });
    const after = script.items[2]!;
    if (after.kind !== 'text') throw new Error('text expected');
    expect(after.text).toBe(' world, a blicket & <b>more</b>.');
    const phoneme = after.source.find((run) => run.ipa !== undefined)!;
    expect(phoneme).toEqual({ length: 7, input_start: input.indexOf('blicket'), replaces: 7, ipa: 'ˈblɪkɪt' });
    expect(script.characters).toBe([...'Hello  world, a blicket & <b>more</b>.'].length);
  });

  it('are read aloud as written when the request says text, and refused when they are not right', () => {
    expect(readInputScript({ input: 'Hello <break time="1s"/> world', input_format: 'text' }).items).toHaveLength(1);
    expect(codeOf(() => readInputScript({ input: 'Hello <break time="forever"/> world' }))).toBe('invalid_ssml');
    expect(codeOf(() => readInputScript({ input: 'a <phoneme alphabet="cmu-arpabet" ph="B L IH1 K">blick</phoneme>' }))).toBe('invalid_ssml');
    expect(codeOf(() => readInputScript({ input: 'a <break size="big"/>' }))).toBe('invalid_ssml');
    // Text that only looks like a tag stays text.
    expect(readInputScript({ input: 'x <breakfast/> and a < b' }).items).toHaveLength(1);
  });
});
