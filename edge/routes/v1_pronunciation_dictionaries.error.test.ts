import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiErrorBody, refusal } from '../../test/harness/client-tokens.ts';
import { type EdgeHarness, startEdge } from '../../test/harness/edge.ts';

// The dictionary routes refusing bad requests: rules, PLS files, versions, cursors, sizes.
let edge: EdgeHarness;
let key: string;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
  ({ key } = await edge.createKey());
});
afterAll(() => edge?.dispose());

const SQL = { type: 'alias', string_to_replace: 'SQL', alias: 'sequel' };
const aliasFor = (i: number) => ({ type: 'alias', string_to_replace: `word${i}`, alias: `said ${i}` });

const send = (method: string, path: string, body: unknown) =>
  edge.fetch(path, { method, key, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const create = (body: unknown) => send('POST', '/v1/pronunciation-dictionaries', body);
async function made(rules: unknown[] = [SQL]): Promise<string> {
  const response = await create({ name: 'fixture', rules });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

function plsForm(pls: string | Uint8Array, name: string | null = 'imported'): FormData {
  const form = new FormData();
  if (name !== null) form.set('name', name);
  form.set('file', new File([pls], 'lexicon.pls'));
  return form;
}
const importForm = (form: FormData) => edge.fetch('/v1/pronunciation-dictionaries', { method: 'POST', key, body: form });
const lexicon = (body: string) => `<?xml version="1.0"?>\n<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">\n${body}\n</lexicon>\n`;

describe('rules', () => {
  it.each([
    ['an IPA phoneme with a letter IPA has not', { type: 'phoneme', string_to_replace: 'tomato', phoneme: 'təˈmeɪtoʊ$', alphabet: 'ipa' }, /rules\[1\] \("tomato"\): ipa phoneme .*"\$" at character 10 is not an IPA symbol/],
    ['an X-SAMPA phoneme with a sign X-SAMPA has not', { type: 'phoneme', string_to_replace: 'Zürich', phoneme: '"tsy:r#C', alphabet: 'x-sampa' }, /rules\[1\] \("Zürich"\): x-sampa phoneme .*"#" at character 7 is not an X-SAMPA symbol/],
    ['a phoneme of spaces', { type: 'phoneme', string_to_replace: 'blank', phoneme: '   ', alphabet: 'ipa' }, /rules\[1\] \("blank"\).*empty/],
  ])('refuses %s with 400 invalid_phoneme naming the rule, on every route that takes rules', async (_what, rule, message) => {
    const id = await made();
    for (const [method, path, body] of [
      ['POST', '/v1/pronunciation-dictionaries', { name: 'bad', rules: [SQL, rule] }],
      ['POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [SQL, rule] }],
      ['PUT', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [SQL, rule] }],
    ] as const) {
      const error = await refusal(await send(method, path, body), 400, 'invalid_phoneme');
      expect(error.param).toBe('rules.1.phoneme');
      expect(error.message).toMatch(message);
    }
    // Nothing was stored: the dictionary is still at version 1.
    const read = (await (await edge.fetch(`/v1/pronunciation-dictionaries/${id}`, { key })).json()) as { latest_version: number };
    expect(read.latest_version).toBe(1);
  });

  it.each([
    ['no rules', { name: 'empty', rules: [] }, 'rules'],
    ['a rule of an unknown type', { name: 'x', rules: [{ type: 'spell', string_to_replace: 'SQL' }] }, 'rules.0.type'],
    ['an alias rule without its alias', { name: 'x', rules: [{ type: 'alias', string_to_replace: 'SQL' }] }, 'rules.0.alias'],
    ['a phoneme rule with another alphabet', { name: 'x', rules: [{ type: 'phoneme', string_to_replace: 'a', phoneme: 'AH0', alphabet: 'arpabet' }] }, 'rules.0.alphabet'],
    ['a string over 200 characters', { name: 'x', rules: [{ ...SQL, string_to_replace: 'S'.repeat(201) }] }, 'rules.0.string_to_replace'],
    ['no name', { rules: [SQL] }, 'name'],
    ['1,001 rules', { name: 'x', rules: Array.from({ length: 1001 }, (_, i) => aliasFor(i)) }, 'rules'],
  ])('refuses %s with 400 invalid_parameter on the field', async (_what, body, param) => {
    const error = await refusal(await create(body), 400, 'invalid_parameter');
    expect(error.param).toBe(param);
  });

  it('refuses an addition that would make more than 1,000 rules with 400 too_many_rules; 1,000 are taken', async () => {
    const id = await made(Array.from({ length: 999 }, (_, i) => aliasFor(i)));
    const error = await refusal(await send('POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [aliasFor(1000), aliasFor(1001)] }), 400, 'too_many_rules');
    expect(error.message).toContain('this would make 1001');
    // Replacing rules adds none: 999 old ones, one replaced and one new, make 1,000.
    expect((await send('POST', `/v1/pronunciation-dictionaries/${id}/rules`, { rules: [aliasFor(5), aliasFor(1000)] })).status).toBe(200);
  });

  it('refuses a body that is not JSON, and one over 1 MiB with 413', async () => {
    await refusal(await create('{"name": "x", "rules": ['), 400, 'invalid_json');
    const huge = { name: 'x', rules: Array.from({ length: 1000 }, (_, i) => ({ ...aliasFor(i), alias: 'a'.repeat(200) + 'é'.repeat(600) })) };
    await refusal(await create(huge), 413, 'body_too_large');
  });

  it('refuses rule_strings that are not a list of strings', async () => {
    const id = await made();
    const error = await refusal(await send('POST', `/v1/pronunciation-dictionaries/${id}/rules/remove`, { rule_strings: [] }), 400, 'invalid_parameter');
    expect(error.param).toBe('rule_strings');
  });
});

describe('PLS files', () => {
  it.each([
    ['a lexeme with neither phoneme nor alias', lexicon('<lexeme>\n  <grapheme>SQL</grapheme>\n</lexeme>'), /line 3, column 1: a <lexeme> with neither <phoneme> nor <alias>/],
    ['an unclosed tag', lexicon('<lexeme><grapheme>SQL</grapheme><alias>sequel</lexeme>'), /line 3, column \d+: /],
    ['not XML at all', 'SQL = sequel', /line 1, column \d+: /],
    ['a grapheme over 200 characters', lexicon(`<lexeme><grapheme>${'S'.repeat(201)}</grapheme><alias>x</alias></lexeme>`), /line 3, column 1: .*string_to_replace/],
    ['no lexeme', lexicon(''), /no <lexeme>/],
    ['a file that is not UTF-8', new Uint8Array([0x3c, 0xff, 0xfe, 0x3e]), /line 1, column 1: the file is not UTF-8/],
  ])('refuses %s with 400 invalid_pls and where', async (_what, pls, message) => {
    const error = await refusal(await importForm(plsForm(pls)), 400, 'invalid_pls');
    expect(error.param).toBe('file');
    expect(error.message).toMatch(message);
  });

  it('refuses a bad phoneme in a PLS file with 400 invalid_phoneme naming its lexeme’s line', async () => {
    const error = await refusal(await importForm(plsForm(lexicon('<lexeme><grapheme>SQL</grapheme><alias>sequel</alias></lexeme>\n<lexeme><grapheme>x</grapheme><phoneme>k$</phoneme></lexeme>'))), 400, 'invalid_phoneme');
    expect(error.message).toMatch(/the lexeme at line 4 \("x"\)/);
  });

  it('refuses an entity bomb at once, and a file over 1 MB unread', async () => {
    const entities = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lexicon [\n<!ENTITY lol0 "lol">\n${entities}\n]>\n<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa"><lexeme><grapheme>&lol10;</grapheme><alias>x</alias></lexeme></lexicon>`;
    let started = performance.now();
    const error = await refusal(await importForm(plsForm(bomb)), 400, 'invalid_pls');
    expect(performance.now() - started).toBeLessThan(500);
    expect(error.message).toMatch(/line 14, column 3: a DOCTYPE, which ends here, is not accepted/);

    const huge = lexicon(`<lexeme><grapheme>a</grapheme><alias>${'a'.repeat(1024 * 1024)}</alias></lexeme>`);
    started = performance.now();
    const tooLarge = await importForm(plsForm(huge));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(tooLarge.status).toBe(413);
  });

  it('refuses a form without its file or its name', async () => {
    const noFile = new FormData();
    noFile.set('name', 'no file');
    await refusal(await importForm(noFile), 400, 'missing_file');
    const error = await refusal(await importForm(plsForm(lexicon('<lexeme><grapheme>a</grapheme><alias>b</alias></lexeme>'), null)), 400, 'invalid_parameter');
    expect(error.param).toBe('name');
  });
});

describe('ids, versions and cursors', () => {
  it('answers 404 for an id the account has not, and for a version the dictionary has not, naming them', async () => {
    const id = await made();
    const missing = 'pd_ffffffffffffffffffffffff';
    for (const path of [`/v1/pronunciation-dictionaries/${missing}`, `/v1/pronunciation-dictionaries/${missing}/download`]) {
      const error = await refusal(await edge.fetch(path, { key }), 404, 'pronunciation_dictionary_not_found');
      expect(error.message).toContain(missing);
    }
    for (const path of [`/v1/pronunciation-dictionaries/${id}?version=2`, `/v1/pronunciation-dictionaries/${id}/download?version=2`]) {
      const error: ApiErrorBody = await refusal(await edge.fetch(path, { key }), 404, 'pronunciation_dictionary_version_not_found');
      expect(error).toMatchObject({ param: 'version' });
      expect(error.message).toBe(`Pronunciation dictionary "${id}" has no version 2 (its versions are 1 to 1).`);
    }
  });

  it.each(['0', '-1', '1.5', 'latest'])('refuses version=%s with 400 invalid_parameter', async (version) => {
    const id = await made();
    const error = await refusal(await edge.fetch(`/v1/pronunciation-dictionaries/${id}?version=${version}`, { key }), 400, 'invalid_parameter');
    expect(error.param).toBe('version');
  });

  it('refuses a list cursor the account has not, and a limit out of range', async () => {
    await refusal(await edge.fetch('/v1/pronunciation-dictionaries?after=pd_ffffffffffffffffffffffff', { key }), 400, 'invalid_cursor');
    expect((await refusal(await edge.fetch('/v1/pronunciation-dictionaries?limit=101', { key }), 400, 'invalid_parameter')).param).toBe('limit');
  });
});
