import { describe, expect, it } from 'vitest';
import { type DictionaryRules, PronunciationRuleSchema, type PronunciationRuleInput } from '../../shared/schemas/pronunciation.ts';
import { applyDictionaries } from './apply-rules.ts';
import { plainTextScript, type ScriptText, type SpeechScript } from './script.ts';
import { parseSsmlScript } from './ssml/parse-ssml.ts';

let nextId = 0;
const dictionary = (...rules: PronunciationRuleInput[]): DictionaryRules => ({ id: `d${nextId++}`, version: 1, rules: rules.map((rule) => PronunciationRuleSchema.parse(rule)) });
const alias = (string_to_replace: string, aliasText: string, options: Partial<PronunciationRuleInput> = {}): PronunciationRuleInput =>
  ({ type: 'alias', string_to_replace, alias: aliasText, ...options }) as PronunciationRuleInput;
const phoneme = (string_to_replace: string, phonemes: string, alphabet: 'ipa' | 'x-sampa' = 'ipa'): PronunciationRuleInput => ({ type: 'phoneme', string_to_replace, phoneme: phonemes, alphabet });

const ssml = (input: string) => parseSsmlScript(input, { language: 'en', guessLanguage: () => 'en' });
const texts = (script: SpeechScript) => script.items.map((item) => (item.kind === 'text' ? item.text : item.ms));
const onlyText = (script: SpeechScript) => script.items[0] as ScriptText;
const apply = (text: string, ...dictionaries: DictionaryRules[]) => onlyText(applyDictionaries(plainTextScript(text), dictionaries)).text;

describe('applyDictionaries', () => {
  it('says an alias in place of the match, as one run replacing its characters', () => {
    const script = applyDictionaries(plainTextScript('I use SQL daily'), [dictionary(alias('SQL', 'sequel'))]);
    expect(script).toEqual({
      items: [
        {
          kind: 'text',
          text: 'I use sequel daily',
          source: [
            { length: 6, input_start: 0 },
            { length: 6, input_start: 6, replaces: 3 },
            { length: 6, input_start: 9 },
          ],
        },
      ],
      characters: 15,
      format: 'text',
      dictionaries: [expect.stringMatching(/^d\d+@1$/)],
    });
  });

  it('records the dictionaries it applied, `id@version` in order, even one whose rules match nothing (the audio cache keys and purges by them)', () => {
    const first = { id: 'pd_a', version: 3, rules: [PronunciationRuleSchema.parse(alias('SQL', 'sequel'))] };
    const second = { id: 'pd_b', version: 1, rules: [PronunciationRuleSchema.parse(alias('nothing here', 'x'))] };
    expect(applyDictionaries(plainTextScript('I use SQL daily'), [first, second]).dictionaries).toEqual(['pd_a@3', 'pd_b@1']);
    expect(applyDictionaries(plainTextScript('I use SQL daily'), [second]).dictionaries).toEqual(['pd_b@1']);
    expect(applyDictionaries(plainTextScript('I use SQL daily'), []).dictionaries).toBeUndefined();
  });

  it('keeps the matched text of a phoneme rule and adds its IPA, converted from X-SAMPA', () => {
    const script = applyDictionaries(plainTextScript('Zorbl and zorbl'), [dictionary(phoneme('Zorbl', '"zOrbl=', 'x-sampa'), phoneme('zorbl', 'ˈzɔɹbl̩'))]);
    expect(onlyText(script)).toEqual({
      kind: 'text',
      text: 'Zorbl and zorbl',
      source: [
        { length: 5, input_start: 0, replaces: 5, ipa: 'ˈzɔrbl̩' },
        { length: 5, input_start: 5 },
        { length: 5, input_start: 10, replaces: 5, ipa: 'ˈzɔɹbl̩' },
      ],
    });
  });

  it('matches whole words only when asked: no letter, number or mark (any script) next to it', () => {
    const whole = dictionary(alias('SQL', 'sequel'));
    expect(apply('MySQL, SQL. (SQL) SQLé SQL2 SQL\u0301 SQL-x', whole)).toBe('MySQL, sequel. (sequel) SQLé SQL2 SQL\u0301 sequel-x');
    expect(apply('MySQL and SQLite', dictionary(alias('SQL', 'sequel', { word_boundaries: false })))).toBe('Mysequel and sequelite');
    expect(apply('日本SQL', whole)).toBe('日本SQL');
  });

  it('matches any case when not case-sensitive, and only the exact case by default', () => {
    expect(apply('sql Sql SQL', dictionary(alias('SQL', 'sequel')))).toBe('sql Sql sequel');
    expect(apply('sql Sql SQL', dictionary(alias('SQL', 'sequel', { case_sensitive: false })))).toBe('sequel sequel sequel');
    expect(apply('ΟΔΟΣ οδος', dictionary(alias('οδοσ', 'street', { case_sensitive: false })))).toBe('street street');
    expect(apply('STRAẞE', dictionary(alias('straße', 'street', { case_sensitive: false })))).toBe('street');
  });

  it('takes the leftmost match, and at one position the earlier rule, dictionaries in the order named', () => {
    expect(apply('New York City', dictionary(alias('York City', 'B'), alias('New York', 'A')))).toBe('A City');
    expect(apply('New York', dictionary(alias('New', 'short'), alias('New York', 'long')))).toBe('short York');
    expect(apply('New York', dictionary(alias('New York', 'long'), alias('New', 'short')))).toBe('long');
    expect(apply('SQL', dictionary(alias('SQL', 'first')), dictionary(alias('SQL', 'second')))).toBe('first');
    expect(apply('My SQL', dictionary(alias('SQL', 'first')), dictionary(alias('My SQL', 'second')))).toBe('second');
  });

  it('never applies inside what SSML or an earlier rule put in place of the input', () => {
    const script = ssml('<speak>SQL <sub alias="SQL">x</sub> <phoneme ph="ɛs">SQL</phoneme> <say-as interpret-as="characters">SQL</say-as> SQ&#76;</speak>');
    expect(texts(applyDictionaries(script, [dictionary(alias('SQL', 'sequel'), alias('S', 'ess', { word_boundaries: false }))]))).toEqual(['sequel SQL SQL S Q L essQL']);
    expect(apply('SQL server', dictionary(alias('SQL', 'my server'), alias('server', 'S')))).toBe('my server S');
  });

  it('counts in code points past astral characters, and leaves pauses, styles and billing as they were', () => {
    const input = '<speak>😀 SQL 𝒜 <break time="1s"/><prosody rate="slow"><lang xml:lang="de">😀SQL</lang></prosody></speak>';
    const script = ssml(input);
    const applied = applyDictionaries(script, [dictionary(alias('SQL', 'sequel'), alias('𝒜', 'script A'))]);
    const german = [...input.slice(0, input.indexOf('😀SQL'))].length;
    expect([...input].slice(german + 1, german + 4).join('')).toBe('SQL');
    expect(applied.characters).toBe(script.characters);
    expect(applied.items).toEqual([
      {
        kind: 'text',
        text: '😀 sequel script A',
        source: [
          { length: 2, input_start: 7 },
          { length: 6, input_start: 9, replaces: 3 },
          { length: 1, input_start: 12 },
          { length: 8, input_start: 13, replaces: 1 },
        ],
      },
      { kind: 'pause', ms: 1000 },
      { kind: 'text', text: '😀sequel', language: 'de', rate: 0.75, source: [{ length: 1, input_start: german }, { length: 6, input_start: german + 1, replaces: 3 }] },
    ]);
  });

  it('returns the script itself when nothing matches or no dictionary is named', () => {
    const script = plainTextScript('Nothing to see');
    expect(applyDictionaries(script, [])).toBe(script);
    expect(applyDictionaries(script, [dictionary(alias('SQL', 'sequel'))]).items[0]).toBe(script.items[0]);
  });

  it('refuses a stored phoneme rule that is not a phoneme string, naming the dictionary and rule', () => {
    const broken: DictionaryRules = { id: 'broken', version: 3, rules: [{ type: 'phoneme', string_to_replace: 'x', phoneme: '§', alphabet: 'ipa', case_sensitive: true, word_boundaries: true }] };
    expect(() => applyDictionaries(plainTextScript('x'), [broken])).toThrow('Dictionary broken version 3, rule 1: "§" at character 1 is not an IPA symbol.');
  });

  // Medians of a few runs, so that one pause of a loaded machine does not decide. Measured here:
  // about 4 ms compiling and applying, 1 ms applying again. Trying every rule at every position
  // took 15 to 40 ms, and a case-insensitive regular expression per rule seconds: the bounds catch both.
  it('applies 3 × 1,000 rules to a 1,200-character chunk quickly, first time and again', () => {
    const words = Array.from({ length: 3000 }, (_, index) => `w${index.toString(36)}x${(index * 7919).toString(36)}`);
    const dictionaries = () =>
      [0, 1, 2].map((part) =>
        dictionary(
          ...words
            .slice(part * 1000, part * 1000 + 1000)
            .map((word, index) => (index % 3 === 0 ? phoneme(word, 'ˈsiːkwəl') : alias(word, `said ${word}`, { case_sensitive: index % 2 === 0 }))),
        ),
      );
    const chunkWords: string[] = [];
    for (let index = 0; chunkWords.join(' ').length < 1200; index++) chunkWords.push(index % 3 === 0 ? words[(index * 37) % 3000]! : `plain${index}`);
    const script = plainTextScript(chunkWords.join(' ').slice(0, 1200));
    const median = (times: number[]) => times.sort((a, b) => a - b)[times.length >> 1]!;
    const firstTimes: number[] = [];
    const againTimes: number[] = [];
    let applied: SpeechScript = script;
    for (let round = 0; round < 7; round++) {
      const fresh = dictionaries();
      let started = performance.now();
      applied = applyDictionaries(script, fresh);
      firstTimes.push(performance.now() - started);
      started = performance.now();
      applyDictionaries(script, fresh);
      againTimes.push(performance.now() - started);
    }
    expect(onlyText(applied).source.filter((run) => run.replaces !== undefined).length).toBeGreaterThan(40);
    expect(median(firstTimes)).toBeLessThan(50);
    expect(median(againTimes)).toBeLessThan(10);
  });
});
