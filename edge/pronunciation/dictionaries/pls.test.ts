import { describe, expect, it } from 'vitest';
import type { ApiError } from '../../../shared/errors.ts';
import { PronunciationRuleSchema } from '../../../shared/schemas/pronunciation.ts';
import { HAND_WRITTEN_PLS, HAND_WRITTEN_RULES } from './pls-fixture.ts';
import { readPls } from './pls-read.ts';
import { writePls } from './pls-write.ts';

// PLS 1.0 read and written, in Node (saxes is plain JavaScript); the routes' tests send files through the edge.

function refusal(text: string): ApiError {
  try {
    readPls(text);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('readPls took the file');
}

const lexicon = (body: string, attributes = 'alphabet="ipa" xml:lang="en"') =>
  `<?xml version="1.0"?>\n<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" ${attributes}>\n${body}\n</lexicon>`;

describe('readPls', () => {
  it('reads a hand-written lexicon: one rule per grapheme, the preferred pronunciation or the first, each alphabet as the file says', () => {
    const rules = readPls(HAND_WRITTEN_PLS);
    expect(rules.map(({ line: _line, ...rule }) => PronunciationRuleSchema.parse(rule))).toEqual(HAND_WRITTEN_RULES);
    expect(rules.map(({ line }) => line)).toEqual([15, 21, 26, 26, 31, 37]);
  });

  it('takes the lexicon alphabet for a phoneme without its own, x-sampa included', () => {
    const [rule] = readPls(lexicon('<lexeme><grapheme>Zürich</grapheme><phoneme>"tsy:rIC</phoneme></lexeme>', 'alphabet="x-sampa" xml:lang="de"'));
    expect(rule).toMatchObject({ type: 'phoneme', phoneme: '"tsy:rIC', alphabet: 'x-sampa' });
  });

  it.each([
    ['a lexeme with neither phoneme nor alias', lexicon('<lexeme>\n<grapheme>SQL</grapheme>\n</lexeme>'), /line 3, .*neither <phoneme> nor <alias>/],
    ['a lexeme with no grapheme', lexicon('<lexeme><alias>sequel</alias></lexeme>'), /line 3, .*no <grapheme>/],
    ['an element PLS has not', lexicon('<lexeme><grapheme>a</grapheme><speak/></lexeme>'), /line 3, .*<speak> is not an element PLS allows here/],
    ['another root', '<speak version="1.0"/>', /line 1, .*root element is <speak>/],
    ['the PLS root without its namespace', '<lexicon version="1.0" alphabet="ipa"/>', /root element is <lexicon>, not <lexicon> in the PLS namespace/],
    ['another PLS version', lexicon('', 'version="2.0" alphabet="ipa"').replace('version="1.0" ', ''), /version="1.0"/],
    ['an alphabet not taken', lexicon('<lexeme><grapheme>a</grapheme><phoneme alphabet="x-arpabet">AH0</phoneme></lexeme>'), /line 3, .*x-arpabet/],
    ['a phoneme with no alphabet', lexicon('<lexeme><grapheme>a</grapheme><phoneme>ə</phoneme></lexeme>', 'xml:lang="en"'), /no alphabet/],
    ['an unclosed tag', lexicon('<lexeme><grapheme>a</grapheme><alias>b</lexeme>'), /line 3, column \d+: .*(unexpected close tag|unclosed)/i],
    ['text between lexemes', lexicon('SQL is sequel'), /text outside an element/],
    ['an entity not declared', lexicon('<lexeme><grapheme>&bomb;</grapheme><alias>b</alias></lexeme>'), /line 3, .*undefined entity/i],
  ])('refuses %s, with the line', (_what, text, message) => {
    const error = refusal(text);
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_pls');
    expect(error.param).toBe('file');
    expect(error.message).toMatch(message);
  });

  it('refuses an entity bomb at its DOCTYPE, before any entity is expanded', () => {
    const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lexicon [\n<!ENTITY lol0 "lol">\n${entities}\n]>\n${lexicon('<lexeme><grapheme>&lol10;</grapheme><alias>x</alias></lexeme>').replace(/^<\?xml[^>]*>\n/, '')}`;
    const started = performance.now();
    const error = refusal(bomb);
    expect(performance.now() - started).toBeLessThan(50);
    expect(error.code).toBe('invalid_pls');
    expect(error.message).toMatch(/line 14, column 3: a DOCTYPE, which ends here, is not accepted/);
  });

  it('refuses 100,000 nested elements at the first one, without reading on', () => {
    const deep = lexicon(`${'<lexeme>'.repeat(100_000)}${'</lexeme>'.repeat(100_000)}`);
    const started = performance.now();
    expect(refusal(deep).message).toMatch(/line 3, .*<lexeme> is not an element PLS allows here/);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('writePls', () => {
  it('writes rules that readPls reads back the same, XML escaped', () => {
    const rules = [
      ...HAND_WRITTEN_RULES,
      PronunciationRuleSchema.parse({ type: 'alias', string_to_replace: '<tag> "quoted"', alias: "it's & more" }),
      PronunciationRuleSchema.parse({ type: 'phoneme', string_to_replace: 'Zürich', phoneme: '"tsy:rIC', alphabet: 'x-sampa' }),
    ];
    const written = writePls(rules);
    expect(written).toContain('<grapheme>&lt;tag&gt; "quoted"</grapheme>');
    expect(written).toContain('<phoneme alphabet="x-sampa">"tsy:rIC</phoneme>');
    expect(readPls(written).map(({ line: _line, ...rule }) => PronunciationRuleSchema.parse(rule))).toEqual(rules);
  });
});
