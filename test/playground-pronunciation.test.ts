import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request, WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPack } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import type { LiveTimings, SpeechTimings } from '../playground/src/page-instrumentation.ts';
import { SSML_EXAMPLE } from '../playground/src/ssml-example.ts';
import { launchChromium, openPlayground, pressSpeak, recordForeignRequests, recordPageErrors, screenshotter } from './harness/browser.ts';
import { settledBalance } from './harness/edge.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

/**
 * The playground's pronunciation controls in headless Chromium against the real stack (espeak and
 * a generated Qwen3-TTS pack behind the edge in workerd, dictionaries in D1 and KV): the SSML
 * toggle and its example, SSML the API refuses, a dictionary made from rule lines that changes
 * what Speak says, a rule added (a new version) while a pinned slot still speaks the old way, a
 * PLS file imported, the dictionaries in Live's socket config, and the notice for markup Qwen3
 * cannot honour. Screenshots go to test-output/playground-pronunciation/.
 */

const QWEN_PACK = 'qwen3-tts-tiny';
const SQL_TEXT = 'We store it all in SQL, every day.';

/* The page's globals as the callbacks given to page.evaluate see them (this file has Node's types only). */
declare const window: { playground: { lastSpeech: SpeechTimings; live: LiveTimings } };
declare const document: { querySelector(selector: string): { textContent: string | null } | null; documentElement: { scrollWidth: number } };

/** A lexicon written by hand after the W3C Pronunciation Lexicon Specification 1.0, as another tool would. */
const PLS = `<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <!-- An alias and an IPA pronunciation. -->
  <lexeme>
    <grapheme>GIF</grapheme>
    <alias>jif</alias>
  </lexeme>
  <lexeme>
    <grapheme>blicket</grapheme>
    <phoneme>ˈblɪkɪt</phoneme>
  </lexeme>
</lexicon>
`;

let dir: string;
let stack: StackHarness;
let browser: Browser;
let page: Page;
let foreign: string[];
let pageErrors: string[];
let shoot: (name: string) => Promise<string>;
/** The JSON bodies of the page's speech requests, in order. */
const speechBodies: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playground-pronunciation-'));
  await writeTinyPack(dir, { id: QWEN_PACK });
  stack = await startStack({ workerArgs: ['--pack', dir] });
  browser = await launchChromium({ microphoneWav: '/dev/null' });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  foreign = recordForeignRequests(page, stack.edge.url);
  pageErrors = recordPageErrors(page);
  shoot = screenshotter(page, 'playground-pronunciation');
  page.on('request', (request: Request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/audio/speech') speechBodies.push(request.postDataJSON() as Record<string, unknown>);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A Speak: the page's timings, and the JSON body it sent. */
type Take = SpeechTimings & { body: Record<string, unknown> };

/** Presses Speak and waits for the answer to end (or fail). */
async function speak(): Promise<Take> {
  const sent = speechBodies.length;
  const speech = await pressSpeak<SpeechTimings>(page);
  await page.click('#stop');
  expect(speechBodies).toHaveLength(sent + 1);
  return { ...speech, body: speechBodies.at(-1)! };
}

/** The text of `selector` once it matches `pattern`. */
async function textOnceIt(selector: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(([target, source, flags]) => new RegExp(source, flags).test(document.querySelector(target)?.textContent ?? ''), [selector, pattern.source, pattern.flags] as const, {
    timeout: 20_000,
  });
  return (await page.textContent(selector))!;
}

/** The error line once it says something. */
const shownError = () => textOnceIt('#error', /./);

const resultLine = () => page.textContent('#dictionary-result');
const ruleLines = () => page.$$eval('#rules-list li', (items) => items.map((item) => item.textContent));
const dictionaryId = (text: string | null) => text?.match(/pd_[\w-]+/)?.[0];

/** pcm at 24 kHz, 16-bit mono: seconds of audio in a take. */
const seconds = (speech: SpeechTimings) => speech.bytes / 2 / 24_000;

describe('playground pronunciation controls in Chromium', () => {
  let sqlDictionary: string;
  let spelledOut: Take;
  let sequel: Take;

  it('loads with the key, espeak and pcm chosen, no dictionary yet', async () => {
    await openPlayground(page, stack.edge.url, stack.key);
    await page.selectOption('#format', 'pcm');
    expect(await page.$$eval('#dictionary-1 option', (options) => options.map((option) => option.getAttribute('value')))).toEqual(['']);
    expect(await page.isChecked('#ssml')).toBe(false);
  });

  it('speaks plain text as text, naming no dictionary', async () => {
    await page.fill('#text', SQL_TEXT);
    spelledOut = await speak();
    expect(spelledOut.status).toBe(200);
    expect(spelledOut.body).toMatchObject({ input: SQL_TEXT, input_format: 'text' });
    expect(spelledOut.body).not.toHaveProperty('pronunciation_dictionaries');
  });

  it('inserts the SSML example, turns SSML on, speaks it, and shows the characters the API billed: its text, not its markup', async () => {
    const balance = await settledBalance(stack.edge, stack.key);
    await page.click('#ssml-example');
    expect(await page.isChecked('#ssml')).toBe(true);
    expect(await page.inputValue('#text')).toBe(SSML_EXAMPLE);
    for (const element of ['<break', '<sub', '<say-as', '<phoneme', '<prosody', '<emphasis']) expect(SSML_EXAMPLE).toContain(element);
    const speech = await speak();
    expect(speech.status).toBe(200);
    expect(speech.body).toMatchObject({ input: SSML_EXAMPLE, input_format: 'ssml' });
    expect(seconds(speech)).toBeGreaterThan(2);
    const billed = Number((await page.textContent('#characters'))!.replace(/\D/g, ''));
    // The text between the tags: no markup, no alias (the API's rule: whitespace runs as one space, trimmed).
    const text = SSML_EXAMPLE.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
    expect(billed).toBe([...text].length);
    expect(billed).toBeLessThan([...SSML_EXAMPLE].length / 2);
    expect(balance - (await settledBalance(stack.edge, stack.key))).toBe(billed);
    await shoot('ssml-example');
  });

  it('shows where SSML the API refuses went wrong, in words', async () => {
    await page.fill('#text', '<speak>\n  Hello <audio src="x.mp3"/> there.\n</speak>');
    const speech = await speak();
    expect(speech.status).toBe(400);
    const message = await shownError();
    expect(message).toMatch(/SSML/);
    expect(message).toMatch(/audio/);
    expect(message).toMatch(/line 2, column \d+/);
    expect(message).not.toContain('invalid_ssml');
    // The text box selects the character where it went wrong.
    const selection = await page.$eval('#text', (box) => {
      const { value, selectionStart, selectionEnd } = box as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return { selected: value.slice(selectionStart, selectionEnd), from: value.slice(selectionStart) };
    });
    expect(selection.selected).toBe('<');
    expect(selection.from).toMatch(/^<audio/);
    await shoot('invalid-ssml');
  });

  it('makes a dictionary from rule lines, chooses it, and Speak says "sequel"', async () => {
    await page.uncheck('#ssml');
    await page.fill('#text', SQL_TEXT);
    await page.fill('#dictionary-name', 'Databases');
    await page.fill('#dictionary-rules', 'SQL -> sequel\n');
    await page.click('#dictionary-create');
    sqlDictionary = dictionaryId(await textOnceIt('#dictionary-result', /pd_/))!;
    expect(await resultLine()).toMatch(/version 1, 1 rule\. It is chosen as dictionary 1\./);
    expect(await page.inputValue('#dictionary-1')).toBe(sqlDictionary);
    expect(await page.$eval('#dictionary-1', (select) => (select as unknown as { selectedOptions: Array<{ textContent: string }> }).selectedOptions[0]!.textContent)).toMatch(/^Databases \(v1\b/);
    expect(await ruleLines()).toEqual(['SQL -> sequel']);

    sequel = await speak();
    expect(sequel.status).toBe(200);
    expect(sequel.body).toMatchObject({ input_format: 'text', pronunciation_dictionaries: [{ id: sqlDictionary }] });
    // "sequel" is said in less time than "S Q L" spelled out (about 0.1 s on espeak).
    expect(seconds(spelledOut) - seconds(sequel)).toBeGreaterThan(0.05);
    await shoot('dictionary-made');
  });

  it('refuses a rule line it cannot read, naming the line, before sending anything', async () => {
    const before = (await stack.edge.fetch('/v1/pronunciation-dictionaries', { key: stack.key }).then((r) => r.json())) as { data: unknown[] };
    await page.fill('#dictionary-name', 'Broken');
    await page.fill('#dictionary-rules', 'GIF -> jif\nblicket\n');
    await page.click('#dictionary-create');
    expect(await shownError()).toMatch(/^Line 2 is not a rule: “blicket”/);
    const after = (await stack.edge.fetch('/v1/pronunciation-dictionaries', { key: stack.key }).then((r) => r.json())) as { data: unknown[] };
    expect(after.data).toHaveLength(before.data.length);
    await page.fill('#dictionary-name', '');
    await page.fill('#dictionary-rules', '');
  });

  it('adds a rule (version 2); a slot pinned to version 1 still speaks the old way', async () => {
    await page.selectOption('#rules-dictionary', sqlDictionary);
    await page.fill('#rules-text', 'SQL -> structured query language');
    await page.click('#rules-add');
    await textOnceIt('#dictionary-result', /version 2/);
    expect(await ruleLines()).toEqual(['SQL -> structured query language']);
    expect(await page.getAttribute('#dictionary-1-version', 'placeholder')).toBe('latest (2)');
    const stored = (await (await stack.edge.fetch(`/v1/pronunciation-dictionaries/${sqlDictionary}`, { key: stack.key })).json()) as { version: number; rules: Array<{ alias: string }> };
    expect(stored).toMatchObject({ version: 2, rules: [{ alias: 'structured query language' }] });

    const latest = await speak();
    expect(latest.status).toBe(200);
    expect(latest.body.pronunciation_dictionaries).toEqual([{ id: sqlDictionary }]);
    expect(seconds(latest) - seconds(sequel)).toBeGreaterThan(0.5);

    await page.fill('#dictionary-1-version', '1');
    const pinned = await speak();
    expect(pinned.body.pronunciation_dictionaries).toEqual([{ id: sqlDictionary, version: 1 }]);
    expect(Math.abs(seconds(pinned) - seconds(sequel))).toBeLessThan(0.05);
    await shoot('rule-added');
  });

  it('says in words when a pinned version does not exist', async () => {
    await page.fill('#dictionary-1-version', '9');
    const speech = await speak();
    expect(speech.status).toBe(404);
    const message = await shownError();
    expect(message).toMatch(/version/);
    expect(message).not.toContain('pronunciation_dictionary_version_not_found');
  });

  it('imports a PLS file into a new dictionary, chosen second, in order', async () => {
    await page.fill('#dictionary-1-version', '');
    await page.setInputFiles('#dictionary-file', { name: 'lexicon.pls', mimeType: 'application/pls+xml', buffer: Buffer.from(PLS) });
    expect(await page.inputValue('#dictionary-name')).toBe('lexicon');
    await page.click('#dictionary-create');
    const lexicon = dictionaryId(await textOnceIt('#dictionary-result', /dictionary 2\./))!;
    expect(lexicon).not.toBe(sqlDictionary);
    expect(await ruleLines()).toEqual(['GIF -> jif', 'blicket /ˈblɪkɪt/']);
    await page.fill('#text', 'A GIF of a blicket.');
    const speech = await speak();
    expect(speech.status).toBe(200);
    expect(speech.body.pronunciation_dictionaries).toEqual([{ id: sqlDictionary }, { id: lexicon }]);
    await shoot('pls-imported');
  });

  it("names the chosen dictionaries in Live's socket config, and speaks", async () => {
    const configs: Array<Record<string, unknown>> = [];
    const onSocket = (socket: PageSocket) =>
      socket.on('framesent', ({ payload }) => {
        const message = JSON.parse(String(payload)) as Record<string, unknown>;
        if (message.type === 'config') configs.push(message);
      });
    page.on('websocket', onSocket);
    try {
      await page.click('#live-text');
      await page.keyboard.type('Live speech with SQL in it. ', { delay: 10 });
      await page.waitForFunction(() => window.playground.live?.firstAudioAt != null, undefined, { timeout: 20_000 });
      expect(configs.at(-1)).toMatchObject({ type: 'config', model: 'espeak', pronunciation_dictionaries: [{ id: expect.stringMatching(/^pd_/) }, { id: expect.stringMatching(/^pd_/) }] });
      expect(configs.at(-1)).not.toHaveProperty('input_format');
      await page.click('#live-stop');
      await page.waitForFunction(() => window.playground.live.done === 'cancelled', undefined, { timeout: 10_000 });
    } finally {
      page.off('websocket', onSocket);
    }
  });

  it('tells the user when Qwen3 could not honour a <phoneme>, naming the word', async () => {
    await page.selectOption('#dictionary-1', '');
    await page.selectOption('#dictionary-2', '');
    await page.selectOption('#model', QWEN_PACK);
    await page.check('#ssml');
    await page.fill('#text', '<speak>A <phoneme alphabet="ipa" ph="ˈblɪkɪt">blicket</phoneme> is here.</speak>');
    const speech = await speak();
    expect(speech.status).toBe(200);
    expect(speech.body).not.toHaveProperty('pronunciation_dictionaries');
    const notice = (await page.textContent('#speak-notice'))!;
    expect(notice).toMatch(/<phoneme> at characters \d+–\d+ \(“blicket”\)/);
    await shoot('not-honored');

    // espeak honours it: no notice.
    await page.selectOption('#model', 'espeak');
    expect((await speak()).status).toBe(200);
    expect(await page.textContent('#speak-notice')).toBe('');
  });

  it('fits a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shoot('phone');
  });

  it('made no request beyond the edge, and threw nothing', () => {
    expect(foreign).toEqual([]);
    expect(pageErrors.filter((line) => !/Failed to load resource/.test(line))).toEqual([]);
  });
});
