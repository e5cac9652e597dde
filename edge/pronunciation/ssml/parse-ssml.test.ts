import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/errors.ts';
import { LANGUAGE_CODES } from '../../../shared/languages.ts';
import { MAX_SSML_CHARACTERS } from '../../../shared/schemas/speech.ts';
import { detectLanguages } from '../../speech/language-detection.ts';
import type { ScriptText, SpeechScript } from '../script.ts';
import { parseSsmlScript, type SsmlOptions } from './parse-ssml.ts';

const guessLanguage = (text: string) => detectLanguages(text, { candidates: LANGUAGE_CODES, fallback: 'en' }).detected[0]!;
const parse = (input: string, options: Partial<SsmlOptions> = {}) => checked(input, parseSsmlScript(input, { guessLanguage, ...options }));

/** Items as text (a number for a pause), to read a script at a glance. */
const said = (script: SpeechScript) => script.items.map((item) => (item.kind === 'text' ? item.text : item.ms));
const textItems = (script: SpeechScript) => script.items.filter((item): item is ScriptText => item.kind === 'text');
/** What each run of an item stands for in the input, by its code-point offsets. */
const standsFor = (input: string, item: ScriptText) =>
  item.source.map((run) => [...input].slice(run.input_start, run.input_start + (run.replaces ?? run.length)).join(''));

/** The code-point offset of `text` in `input` (its `nth` occurrence), as runs count. */
const offsetOf = (input: string, text: string, nth = 1) => {
  let index = -1;
  for (let found = 0; found < nth; found++) index = input.indexOf(text, index + 1);
  return [...input.slice(0, index)].length;
};

/** Every script must hold what the worker protocol promises: runs cover the text, and a verbatim run is the input as written. */
function checked(input: string, script: SpeechScript): SpeechScript {
  for (const item of textItems(script)) {
    const characters = [...item.text];
    expect(item.source.reduce((sum, run) => sum + run.length, 0)).toBe(characters.length);
    let at = 0;
    for (const run of item.source) {
      if (run.replaces === undefined) expect(characters.slice(at, at + run.length).join('')).toBe([...input].slice(run.input_start, run.input_start + run.length).join(''));
      at += run.length;
    }
  }
  return script;
}

function refusal(input: string, options: Partial<SsmlOptions> = {}): string {
  try {
    parseSsmlScript(input, { guessLanguage, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect([apiError.status, apiError.code, apiError.param]).toEqual([400, 'invalid_ssml', 'input']);
    return apiError.message;
  }
  throw new Error(`accepted: ${input}`);
}

describe('parseSsmlScript: text and offsets', () => {
  it('says plain text in <speak> as one verbatim run, billed as written', () => {
    const script = parse('<speak>Hello world</speak>');
    expect(script).toEqual({ items: [{ kind: 'text', text: 'Hello world', source: [{ length: 11, input_start: 7 }] }], characters: 11, format: 'ssml' });
  });

  it('takes an XML declaration, comments and CDATA, keeping offsets of the text around them', () => {
    const input = '<?xml version="1.0" encoding="UTF-8"?>\n<speak>One <!-- not said --> two <![CDATA[a < b]]></speak>';
    const script = parse(input);
    expect(said(script)).toEqual(['One  two a < b']);
    expect(standsFor(input, textItems(script)[0]!)).toEqual(['One ', ' two ', 'a < b']);
    expect(script.characters).toBe([...'One two a < b'].length);
  });

  it('counts offsets in code points past astral characters, and an entity is a run replacing its characters', () => {
    const input = '<speak>😀 A &amp; B &#x1F600; &#233;t&lt;é</speak>';
    const [item] = textItems(parse(input));
    expect(item!.text).toBe('😀 A & B 😀 ét<é');
    expect(item!.source).toEqual([
      { length: 4, input_start: 7 },
      { length: 1, input_start: 11, replaces: 5 },
      { length: 3, input_start: 16 },
      { length: 1, input_start: 19, replaces: 9 },
      { length: 1, input_start: 28 },
      { length: 1, input_start: 29, replaces: 6 },
      { length: 1, input_start: 35 },
      { length: 1, input_start: 36, replaces: 4 },
      { length: 1, input_start: 40 },
    ]);
    expect(standsFor(input, item!)).toEqual(['😀 A ', '&amp;', ' B ', '&#x1F600;', ' ', '&#233;', 't', '&lt;', 'é']);
    expect(parse(input).characters).toBe([...'😀 A & B 😀 ét<é'].length);
  });

  it('bills the text spoken as the user wrote it: whitespace runs as one space, trimmed; sub, say-as and phoneme by their own text', () => {
    const input = `<speak>
      <p>  The   <sub alias="World Wide Web">WWW</sub>\n\tat <say-as interpret-as="cardinal">42</say-as></p>
      <p><phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme><break time="1s"/>😀</p>
    </speak>`;
    expect(parse(input).characters).toBe([...'The WWW at 42 tomato😀'].length);
  });

  it('makes one item of text of one style in one sentence, with a run for each part', () => {
    const input = "<speak>I use <sub alias='sequel'>SQL</sub> daily</speak>";
    const script = parse(input);
    expect(script.items).toEqual([
      {
        kind: 'text',
        text: 'I use sequel daily',
        source: [
          { length: 6, input_start: 7 },
          { length: 6, input_start: offsetOf(input, 'SQL'), replaces: 3 },
          { length: 6, input_start: offsetOf(input, ' daily') },
        ],
      },
    ]);
    expect(standsFor(input, textItems(script)[0]!)).toEqual(['I use ', 'SQL', ' daily']);
    expect(script.characters).toBe(15);
  });

  it('makes no item of whitespace, and trims items at their ends', () => {
    const input = '<speak>\n  <p>\n    First.\n  </p>\n  <s>  Second.  </s>\n</speak>';
    const script = parse(input);
    expect(said(script)).toEqual(['First.', 700, 'Second.']);
    expect(standsFor(input, textItems(script)[0]!)).toEqual(['First.']);
    expect(standsFor(input, textItems(script)[1]!)).toEqual(['Second.']);
  });

  it('keeps a document with no text as no items', () => {
    expect(parse('<speak> <break time="200ms"/> </speak>')).toEqual({ items: [{ kind: 'pause', ms: 200 }], characters: 0, format: 'ssml' });
  });
});

describe('parseSsmlScript: <break>', () => {
  it('is a pause between two items', () => {
    const input = 'Hello <break time="1s"/> world';
    const script = parse(`<speak>${input}</speak>`);
    expect(said(script)).toEqual(['Hello', 1000, 'world']);
    expect(script.characters).toBe(11);
  });

  it.each([
    ['time="500ms"', 500],
    ['time="1.5s"', 1500],
    ['time="250ms" strength="x-strong"', 250],
    ['strength="x-weak"', 100],
    ['strength="weak"', 250],
    ['strength="medium"', 400],
    ['strength="strong"', 700],
    ['strength="x-strong"', 1200],
    ['', 400],
    ['time="10s"', 10_000],
  ])('<break %s> is %i ms', (attributes, ms) => {
    expect(said(parse(`<speak>A<break ${attributes}/>B</speak>`))).toEqual(['A', ms, 'B']);
  });

  it('of strength none or time 0 is no pause, but still ends the sentence', () => {
    expect(said(parse('<speak>A<break strength="none"/>B<break time="0ms"></break>C</speak>'))).toEqual(['A', 'B', 'C']);
  });

  it.each([
    ['time="forever"', 'Invalid time "forever" on <break> (expected such as "500ms" or "1.5s") at line 1, column 16 (character 15).'],
    ['time="-1s"', 'Invalid time "-1s" on <break> (expected such as "500ms" or "1.5s") at line 1, column 16 (character 15).'],
    ['time="10001ms"', '<break> time "10001ms" is longer than 10s at line 1, column 16 (character 15).'],
    ['strength="loud"', 'Invalid strength "loud" on <break> (expected one of none, x-weak, weak, medium, strong, x-strong) at line 1, column 16 (character 15).'],
  ])('refuses <break %s> at the attribute', (attributes, message) => {
    expect(refusal(`<speak>A<break ${attributes}/>B</speak>`)).toBe(message);
  });

  it('refuses content inside a break', () => {
    expect(refusal('<speak><break>now</break></speak>')).toBe('<break> takes no content: text at line 1, column 15 (character 14).');
    expect(refusal('<speak><break><s/></break></speak>')).toBe('<s> inside <break> (it takes no content) at line 1, column 15 (character 14).');
  });
});

describe('parseSsmlScript: <p> and <s>', () => {
  it('split items at sentences, with a strong pause after a paragraph unless a break follows, and none at the end', () => {
    const script = parse('<speak><p><s>One.</s><s>Two.</s></p><p>Three.</p><break time="300ms"/><p>Four.</p></speak>');
    expect(said(script)).toEqual(['One.', 'Two.', 700, 'Three.', 300, 'Four.']);
  });
});

describe('parseSsmlScript: <sub> and <phoneme>', () => {
  it('<sub> says its alias in place of the text inside, trimmed', () => {
    const input = '<speak>The <sub alias="World Wide Web"> WWW </sub>.</speak>';
    const [item] = textItems(parse(input));
    expect(item).toEqual({
      kind: 'text',
      text: 'The World Wide Web.',
      source: [
        { length: 4, input_start: 7 },
        { length: 14, input_start: offsetOf(input, 'WWW'), replaces: 3 },
        { length: 1, input_start: offsetOf(input, '.') },
      ],
    });
  });

  it('<sub> over an entity replaces the entity as written', () => {
    const input = '<speak>R<sub alias="and">&amp;</sub>D</speak>';
    const [item] = textItems(parse(input));
    expect(item!.text).toBe('RandD');
    expect(standsFor(input, item!)).toEqual(['R', '&amp;', 'D']);
  });

  it('<phoneme> keeps its text for engines without phonemes and carries IPA, from IPA or X-SAMPA', () => {
    const input = '<speak><phoneme alphabet="ipa" ph="təˈmɑːtoʊ">tomato</phoneme> <phoneme alphabet="x-sampa" ph="t@&quot;mA:toU">tomato</phoneme></speak>';
    const [item] = textItems(parse(input));
    expect(item!.text).toBe('tomato tomato');
    expect(offsetOf(input, 'tomato', 2)).toBe(111);
    expect(item!.source).toEqual([
      { length: 6, input_start: offsetOf(input, 'tomato'), replaces: 6, ipa: 'təˈmɑːtoʊ' },
      { length: 1, input_start: offsetOf(input, ' <phoneme') },
      { length: 6, input_start: offsetOf(input, 'tomato', 2), replaces: 6, ipa: 'təˈmɑːtoʊ' },
    ]);
  });

  it('refuses a bad ph, alphabet or alias at the attribute, and sub/phoneme without text or with markup inside', () => {
    expect(refusal('<speak><phoneme alphabet="ipa" ph="t§">x</phoneme></speak>')).toBe(
      'Invalid ph "t§" on <phoneme> (ipa): "§" at character 2 is not an IPA symbol at line 1, column 32 (character 31).',
    );
    expect(refusal('<speak><phoneme alphabet="arpabet" ph="T AH0">x</phoneme></speak>')).toBe(
      'Invalid alphabet "arpabet" on <phoneme> (expected ipa or x-sampa) at line 1, column 17 (character 16).',
    );
    expect(refusal('<speak><sub alias="  ">x</sub></speak>')).toBe('<sub> alias is empty at line 1, column 13 (character 12).');
    expect(refusal('<speak>A <sub alias="b"> </sub></speak>')).toBe('<sub> has no text to stand for at line 1, column 10 (character 9).');
    expect(refusal('<speak><sub alias="b">x <break/></sub></speak>')).toBe('<break> inside <sub> (it takes text only) at line 1, column 25 (character 24).');
    expect(refusal('<speak><sub>x</sub></speak>')).toBe('<sub> needs the attribute alias at line 1, column 8 (character 7).');
  });
});

describe('parseSsmlScript: <say-as>', () => {
  const sayAs = (attributes: string, content: string, options: Partial<SsmlOptions> = { language: 'en' }) => {
    const input = `<speak>x <say-as ${attributes}>${content}</say-as> y</speak>`;
    const item = textItems(parse(input, options))[0]!;
    expect(standsFor(input, item)).toEqual(['x ', content.trim(), ' y']);
    const words = item.text.slice(2, -2);
    expect(item.source[1]).toEqual({ length: [...words].length, input_start: offsetOf(input, content.trim()), replaces: [...content.trim()].length });
    return words;
  };

  it.each([
    ['interpret-as="characters"', 'WWW', 'W W W'],
    ['interpret-as="spell-out"', 'ab😀c', 'a b 😀 c'],
    ['interpret-as="cardinal"', '1,234', 'one thousand two hundred thirty-four'],
    ['interpret-as="cardinal"', '-3.5', 'minus three point five'],
    ['interpret-as="ordinal"', '21st', 'twenty-first'],
    ['interpret-as="ordinal"', '3', 'third'],
    ['interpret-as="digits"', '1024', 'one zero two four'],
    ['interpret-as="telephone"', '+1 (555) 010-99', 'plus, one, five five five, zero one zero, nine nine'],
    ['interpret-as="date"', '3/5/2024', 'March 5, 2024'],
    ['interpret-as="date" format="dmy"', '05.03.2024', 'March 5, 2024'],
    ['interpret-as="date" format="ymd"', '2024-03-05', 'March 5, 2024'],
    ['interpret-as="date" format="md"', '2/29', 'February 29'],
    ['interpret-as="date" format="my"', '12/1999', 'December 1999'],
    ['interpret-as="date" format="m"', '7', 'July'],
    ['interpret-as="time"', '14:30', '2:30 PM'],
    ['interpret-as="time"', '9:05:07 am', '9:05:07 AM'],
    ['interpret-as="characters" detail="1"', ' A1 ', 'A 1'],
  ])('%s reads %j as %j in English', (attributes, content, words) => {
    expect(sayAs(attributes, content).replaceAll('\u202f', ' ')).toBe(words);
  });

  it.each([
    ['de', 'interpret-as="cardinal"', '1.234,5', 'eintausendzweihundertvierunddreißig komma fünf'],
    ['de', 'interpret-as="ordinal"', '21.', 'einundzwanzigste'],
    ['de', 'interpret-as="date"', '5.3.2024', '5. März 2024'],
    ['fr', 'interpret-as="cardinal"', '1 234', 'mille deux cent trente-quatre'],
    ['fr', 'interpret-as="telephone"', '01 23', 'zéro un, deux trois'],
    ['ja', 'interpret-as="date"', '2024/3/5', '2024年3月5日'],
    ['zh', 'interpret-as="cardinal"', '1234', '一千二百三十四'],
  ])('in %s, %s reads %j as %j', (language, attributes, content, words) => {
    expect(sayAs(attributes, content, { language })).toBe(words);
  });

  it('takes its language from xml:lang first, then the request, and guesses it from all the text only if neither names one', () => {
    const guesses: string[] = [];
    const recordingGuess = (text: string) => {
      guesses.push(text);
      return guessLanguage(text);
    };
    const input = '<speak>Das Wetter ist heute herrlich, wir gehen am <say-as interpret-as="date">5.3.2024</say-as> im Park spazieren.</speak>';
    expect(said(parse(input, { guessLanguage: recordingGuess }))).toEqual(['Das Wetter ist heute herrlich, wir gehen am 5. März 2024 im Park spazieren.']);
    expect(guesses).toEqual(['Das Wetter ist heute herrlich, wir gehen am 5.3.2024 im Park spazieren.']);
    parse(input, { language: 'de', guessLanguage: recordingGuess });
    parse('<speak xml:lang="de"><say-as interpret-as="ordinal">2</say-as></speak>', { guessLanguage: recordingGuess });
    expect(guesses).toHaveLength(1);
    expect(said(parse('<speak><lang xml:lang="es"><say-as interpret-as="cardinal">2</say-as></lang></speak>', { language: 'de' }))).toEqual(['dos']);
  });

  it.each([
    ['interpret-as="cardinal"', 'twelve', '<say-as interpret-as="cardinal"> cannot read "twelve" as a number'],
    ['interpret-as="cardinal"', '1,23', '<say-as interpret-as="cardinal"> cannot read "1,23" as a number'],
    ['interpret-as="ordinal"', '0', '<say-as interpret-as="ordinal"> cannot read "0" as an ordinal number'],
    ['interpret-as="digits"', '12a', '<say-as interpret-as="digits"> cannot read "12a" as digits'],
    ['interpret-as="telephone"', 'call me', '<say-as interpret-as="telephone"> cannot read "call me" as a telephone number'],
    ['interpret-as="date"', '2/30/2024', '<say-as interpret-as="date"> cannot read "2/30/2024" as a date in the order mdy'],
    ['interpret-as="date" format="dmy"', '5/13/2024', '<say-as interpret-as="date"> cannot read "5/13/2024" as a date in the order dmy'],
    ['interpret-as="time"', '25:00', '<say-as interpret-as="time"> cannot read "25:00" as a time (expected hh:mm, hh:mm:ss, with am or pm or not)'],
  ])('refuses %s with %j at the element', (attributes, content, problem) => {
    expect(refusal(`<speak>\nA <say-as ${attributes}>${content}</say-as></speak>`, { language: 'en' })).toBe(`${problem} at line 2, column 3 (character 10).`);
  });

  it('refuses a language it has no number words for, an unknown interpret-as, and a format it cannot use', () => {
    expect(refusal('<speak><say-as interpret-as="cardinal">2</say-as></speak>', { language: 'sw' })).toBe(
      '<say-as interpret-as="cardinal"> has no number words for language "sw" at line 1, column 8 (character 7).',
    );
    expect(refusal('<speak><say-as interpret-as="currency">2</say-as></speak>')).toMatch(/^Invalid interpret-as "currency" on <say-as> .* at line 1, column 16 \(character 15\)\.$/);
    expect(refusal('<speak><say-as interpret-as="date" format="yyyymmdd">2</say-as></speak>')).toMatch(/^Invalid format "yyyymmdd" on <say-as> .* at line 1, column 36 \(character 35\)\.$/);
    expect(refusal('<speak><say-as interpret-as="cardinal" format="dmy">2</say-as></speak>')).toBe(
      'Invalid format "dmy" on <say-as> (only with interpret-as="date") at line 1, column 40 (character 39).',
    );
  });
});

describe('parseSsmlScript: <prosody>, <lang>, <emphasis>', () => {
  it.each([
    ['x-slow', 0.5],
    ['slow', 0.75],
    ['fast', 1.25],
    ['x-fast', 1.5],
    ['80%', 0.8],
    ['+20%', 1.2],
    ['-20%', 0.8],
    ['1.2', 1.2],
  ])('rate %s is %f', (rate, multiplier) => {
    expect(textItems(parse(`<speak><prosody rate="${rate}">A</prosody></speak>`))[0]!.rate).toBeCloseTo(multiplier, 10);
  });

  it('rate medium is no rate, and nested rates multiply, each stretch its own item', () => {
    const script = parse('<speak>A <prosody rate="medium">B</prosody> <prosody rate="150%">C <prosody rate="slow">D</prosody></prosody></speak>');
    expect(script.items.map((item) => (item.kind === 'text' ? [item.text, item.rate] : item.ms))).toEqual([
      ['A B', undefined],
      ['C', 1.5],
      ['D', 1.125],
    ]);
  });

  it('refuses other prosody attributes and rates out of range, never ignoring them', () => {
    expect(refusal('<speak><prosody rate="slow" pitch="high">A</prosody></speak>')).toBe('Unknown attribute pitch on <prosody> at line 1, column 29 (character 28).');
    expect(refusal('<speak><prosody volume="loud">A</prosody></speak>')).toBe('Unknown attribute volume on <prosody> at line 1, column 17 (character 16).');
    expect(refusal('<speak><prosody rate="10%">A</prosody></speak>')).toBe('<prosody> rate "10%" is outside 25% to 400% at line 1, column 17 (character 16).');
    expect(refusal('<speak><prosody rate="quick">A</prosody></speak>')).toMatch(/^Invalid rate "quick" on <prosody> .* at line 1, column 17 \(character 16\)\.$/);
  });

  it('<lang> and <speak xml:lang> name the language of their stretch, lowercased', () => {
    const script = parse('<speak xml:lang="en-US">Hello <lang xml:lang="de">Guten Tag</lang> bye</speak>');
    expect(script.items.map((item) => (item.kind === 'text' ? [item.text, item.language] : item.ms))).toEqual([
      ['Hello', 'en-us'],
      ['Guten Tag', 'de'],
      ['bye', 'en-us'],
    ]);
    expect(refusal('<speak><lang xml:lang="german!">x</lang></speak>')).toMatch(/^Invalid xml:lang "german!" on <lang> .* at line 1, column 14 \(character 13\)\.$/);
    expect(refusal('<speak><lang>x</lang></speak>')).toBe('<lang> needs the attribute xml:lang at line 1, column 8 (character 7).');
  });

  it('<emphasis> marks its stretch; level none or reduced does not', () => {
    const script = parse('<speak>A <emphasis>B</emphasis> <emphasis level="strong">C <emphasis level="reduced">D</emphasis></emphasis></speak>');
    expect(script.items.map((item) => (item.kind === 'text' ? [item.text, item.emphasis] : item.ms))).toEqual([
      ['A', undefined],
      ['B C', true],
      ['D', undefined],
    ]);
    expect(refusal('<speak><emphasis level="loud">x</emphasis></speak>')).toMatch(/^Invalid level "loud" on <emphasis> .* at line 1, column 18 \(character 17\)\.$/);
  });
});

describe('parseSsmlScript: refusals, at their position', () => {
  it.each([
    ['<speak>Hi <audio src="a.mp3"/></speak>', 'Unknown SSML element <audio> at line 1, column 11 (character 10).'],
    ['<speak>\r\n😀<audio/></speak>', 'Unknown SSML element <audio> at line 2, column 2 (character 10).'],
    ['<speak>\n\n  <amazon:effect name="whispered">x</amazon:effect></speak>', 'Unknown SSML element <amazon:effect> at line 3, column 3 (character 11).'],
    ['<speak xmlns:amazon="https://amazon.com">x</speak>', 'Unknown attribute xmlns:amazon on <speak> at line 1, column 8 (character 7).'],
    ['<speak xmlns="urn:other">x</speak>', 'xmlns on <speak> must be "http://www.w3.org/2001/10/synthesis" at line 1, column 8 (character 7).'],
    ['<speak><p id="a">x</p></speak>', 'Unknown attribute id on <p> at line 1, column 11 (character 10).'],
    ['<voice>x</voice>', 'The root element must be <speak>, not <voice> at line 1, column 1 (character 0).'],
    ['<speak><speak>x</speak></speak>', '<speak> inside <speak> at line 1, column 8 (character 7).'],
    ['<speak>Hello <s>world</speak>', '</speak> does not close <s> at line 1, column 22 (character 21).'],
    ['<speak>Hello</s></speak>', '</s> does not close <speak> at line 1, column 13 (character 12).'],
    ['<speak>Hello <s>world', 'Unclosed element <s> at line 1, column 14 (character 13).'],
    ['Hello <speak>x</speak>', 'Text outside <speak> at line 1, column 1 (character 0).'],
    ['<speak>x</speak> and more', 'Text outside <speak> at line 1, column 18 (character 17).'],
    ['<speak>x</speak><speak>y</speak>', 'A second root element (SSML has one <speak>) at line 1, column 17 (character 16).'],
    ['<speak>Fish &chips;</speak>', 'Unknown entity &chips; (SSML takes &amp; &lt; &gt; &quot; &apos; and character references) at line 1, column 13 (character 12).'],
    ['<speak>A <?php echo 1 ?></speak>', 'Processing instruction <?php?> is not SSML at line 1, column 10 (character 9).'],
    ['<?xml version="1.0"?>\n<!DOCTYPE speak>\n<speak>x</speak>', 'A DOCTYPE declaration (and any entity it declares) is not allowed in SSML at line 2, column 1 (character 22).'],
    ['', 'No <speak> element at line 1, column 1 (character 0).'],
  ])('%j', (input, message) => {
    expect(refusal(input)).toBe(message);
  });

  it('refuses nesting deeper than 32 at the element that goes deeper', () => {
    const input = `<speak>${'<s>'.repeat(31)}x${'</s>'.repeat(31)}</speak>`;
    expect(said(parse(input))).toEqual(['x']);
    const deeper = `<speak>${'<s>'.repeat(2000)}x${'</s>'.repeat(2000)}</speak>`;
    expect(refusal(deeper)).toBe('SSML nests deeper than 32 elements: <s> at line 1, column 101 (character 100).');
  });

  it('refuses markup over the SSML limit at the first character past it', () => {
    const input = `<speak>${'😀'.repeat(MAX_SSML_CHARACTERS)}</speak>`;
    expect(refusal(input)).toBe(`SSML is longer than ${MAX_SSML_CHARACTERS} characters at line 1, column ${MAX_SSML_CHARACTERS + 1} (character ${MAX_SSML_CHARACTERS}).`);
    expect(said(parse(`<speak>${'a'.repeat(MAX_SSML_CHARACTERS - 15)}</speak>`))[0]).toHaveLength(MAX_SSML_CHARACTERS - 15);
  });

  // Expanding either would take seconds and gigabytes; refused, they take about a millisecond.
  // The bound is generous for a loaded test machine and still far below what expansion costs.
  it('refuses 10,000 nested tags and an entity bomb in well under 50 ms', () => {
    const nested = `<speak>${'<prosody rate="fast">'.repeat(10_000)}x${'</prosody>'.repeat(10_000)}</speak>`;
    const nestedShort = `<speak>${'<s>'.repeat(10_000)}x`;
    const laughs = Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level === 0 ? '' : level};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY lol "lol">${laughs}]><speak>&lol9;</speak>`;
    const undeclaredBomb = `<speak>${'&lol9;'.repeat(100)}</speak>`;
    for (const input of [nested, nestedShort, bomb, undeclaredBomb]) {
      const started = performance.now();
      refusal(input);
      expect(performance.now() - started).toBeLessThan(50);
    }
    expect(refusal(bomb)).toMatch(/^A DOCTYPE declaration .* at line 1, column 22 \(character 21\)\.$/);
  });
});
