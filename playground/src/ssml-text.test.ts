import { describe, expect, it } from 'vitest';
import { SSML_EXAMPLE } from './ssml-example.ts';
import { ssmlText } from './ssml-text.ts';

describe('ssmlText', () => {
  it('is the text between the tags, whitespace runs as one space, trimmed: no alias, no attribute', () => {
    expect(ssmlText('<speak>\n  Hello <break time="1s"/>  <sub alias="World Wide Web">WWW</sub>!\n</speak>')).toBe('Hello WWW!');
    expect(ssmlText(SSML_EXAMPLE)).toBe('Welcome to the WWW tour. It has 1024 stops, and a blicket at each. Take it slowly, and enjoy it.');
  });

  it('counts an entity as the character it stands for, and CDATA as its text', () => {
    expect(ssmlText('<?xml version="1.0"?><speak>Fish &amp; chips &#x1F600; <![CDATA[<raw>]]><!-- not said --></speak>')).toBe('Fish & chips 😀 <raw>');
  });

  it('is undefined for what is not well-formed XML', () => {
    expect(ssmlText('<speak>Hello')).toBeUndefined();
    expect(ssmlText('Just text')).toBeUndefined();
    expect(ssmlText('<speak>&nbsp;</speak>')).toBeUndefined();
    expect(ssmlText('<!DOCTYPE s [<!ENTITY a "aaaa">]><speak>&a;</speak>')).toBeUndefined();
  });
});
