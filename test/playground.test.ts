import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request, WebSocket as PageSocket } from 'playwright-core';
import type { LiveTimings, SpeechTimings } from '../playground/src/page-instrumentation.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyPack } from '../gpu-worker/engines/qwen3/tiny-pack/generate.ts';
import { spokenClip } from './clips.ts';
import { launchChromium, pressSpeak, recordForeignRequests, recordPageErrors, screenshotter } from './harness/browser.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

/**
 * The playground in headless Chromium against the real stack: a worker with espeak and two
 * generated Qwen3-TTS packs (one that clones, one that designs) behind the edge in workerd.
 * One page, driven step by step as a person would: key, speak, download, clone from the
 * microphone, design, usage, then a key that is out of requests and one that is wrong.
 * Screenshots of each step go to test-output/playground/.
 */

const CLONE_PACK = 'qwen3-tts-tiny';
const DESIGN_PACK = 'qwen3-tts-tiny-design';
/** Long enough that espeak is still streaming when the first audio plays. */
const TEXT = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} of the playground test, spoken while the rest of it still streams.`).join(' ');
/** Kennedy's words, 16 kHz mono: Chromium's fake microphone plays this file in a loop. */
const PROVIDED_CLIP = new URL('../../shared/audio/ref-en-10s-16k.wav', import.meta.url).pathname;

/*
 * The page's globals, as the callbacks given to page.evaluate and friends use them: those run in
 * Chromium, while this file compiles against Node's types only (the DOM library clashes with them).
 */
declare const window: { playground: { lastSpeech: SpeechTimings; live: LiveTimings } };
declare const document: {
  querySelector(selector: string): { textContent: string | null; src?: string } | null;
  documentElement: { scrollWidth: number };
  body: { innerText: string };
};
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray; width: number; height: number } } | null;
}

let dir: string;
let stack: StackHarness;
let browser: Browser;
let page: Page;
let foreign: string[];
let pageErrors: string[];
let shoot: (name: string) => Promise<string>;


beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playground-'));
  await writeTinyPack(join(dir, 'base'), { id: CLONE_PACK });
  await writeTinyPack(join(dir, 'design'), { id: DESIGN_PACK, variant: 'VoiceDesign' });
  stack = await startStack({ workerArgs: ['--pack', join(dir, 'base'), '--pack', join(dir, 'design')] });
  // The provided recording when it is beside the checkout; otherwise speech the stack makes.
  let microphoneWav = PROVIDED_CLIP;
  if (!existsSync(PROVIDED_CLIP)) {
    microphoneWav = join(dir, 'microphone.wav');
    await writeFile(microphoneWav, await spokenClip(stack.edge, stack.key, 'Ask not what your country can do for you, ask what you can do for your country.'));
  }
  browser = await launchChromium({ microphoneWav });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  foreign = recordForeignRequests(page, stack.edge.url);
  pageErrors = recordPageErrors(page);
  shoot = screenshotter(page, 'playground');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lastSpeech = () => page.evaluate(() => window.playground.lastSpeech);

/** Presses Speak and waits for the response to end; returns the page's timestamps. */
const speak = () => pressSpeak<SpeechTimings>(page);

/** Sum of the bars' characters in one of the usage charts. */
const chartTotal = (chart: string) =>
  page.$$eval(`${chart} rect[data-characters]`, (bars) => bars.reduce((sum, bar) => sum + Number(bar.getAttribute('data-characters')), 0));

/** The waveform has been drawn with a signal: its pixels that differ from the corner span many rows. */
const waveformRowsDrawn = () =>
  page.$eval('#waveform', (canvas) => {
    const c = canvas as unknown as PageCanvas;
    const { data, width, height } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    const background = data.slice(0, 4).join(',');
    let rows = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}` !== background) {
          rows++;
          break;
        }
      }
    }
    return rows;
  });

async function useKey(key: string) {
  await page.fill('#api-key', key);
  await page.click('#save-key');
}

describe('playground in Chromium', () => {
  it('loads from the edge, takes a key, and lists the models and voices', async () => {
    await page.goto(`${stack.edge.url}/`);
    await shoot('loaded');
    await useKey(stack.key);
    await page.waitForSelector(`#model option[value="${CLONE_PACK}"]`, { state: 'attached' });
    await page.waitForSelector('#voice option', { state: 'attached' });
    expect(await page.evaluate(() => sessionStorage.length)).toBeGreaterThan(0);
    await shoot('key-saved');
  });

  it('speaks pcm: audio plays while the response still streams, and the waveform draws', async () => {
    await page.selectOption('#model', 'espeak');
    await page.selectOption('#format', 'pcm');
    await page.fill('#text', TEXT);
    const speech = await speak();
    expect(speech.status).toBe(200);
    expect(speech.bytes).toBeGreaterThan(24_000 * 2);
    // The point of the playground: sound before the last byte.
    expect(speech.playbackStartedAt).not.toBeNull();
    expect(speech.playbackStartedAt!).toBeLessThan(speech.responseEndedAt!);
    expect(speech.firstChunkAt!).toBeLessThan(speech.responseEndedAt!);
    // The audio outlasts the response by far: the waveform shows speech, not a flat line.
    await expect.poll(waveformRowsDrawn, { timeout: 10_000 }).toBeGreaterThan(10);
    expect(Number((await page.textContent('#characters'))!.replace(/\D/g, ''))).toBe([...TEXT].length);
    expect(await page.textContent('#ttfa')).toMatch(/\d/);
    await shoot('spoken-pcm');
    await page.click('#stop');
  });

  it('offers what was spoken as a WAV download', async () => {
    const download = await page.$eval('#download', async (link) => {
      const bytes = new Uint8Array(await (await fetch((link as unknown as { href: string; download: string }).href)).arrayBuffer());
      return { name: (link as unknown as { href: string; download: string }).download, size: bytes.length, head: String.fromCharCode(...bytes.subarray(0, 4)) };
    });
    expect(download.head).toBe('RIFF');
    expect(download.name).toMatch(/\.wav$/);
    expect(download.size).toBe((await lastSpeech()).bytes + 44);
  });

  it('speaks mp3 through Media Source', async () => {
    await page.selectOption('#format', 'mp3');
    await page.fill('#text', 'A short sentence in MP3.');
    const speech = await speak();
    expect(speech.status).toBe(200);
    expect(speech.format).toBe('mp3');
    await expect.poll(async () => (await lastSpeech()).playbackStartedAt, { timeout: 10_000 }).not.toBeNull();
    await page.click('#stop');
  });

  it('speaks live as text is typed, words lit as heard, and Stop stops it', async () => {
    await page.selectOption('#model', 'espeak');
    // Typed the way an LLM writes: a few characters at a time.
    await page.click('#live-text');
    await page.keyboard.type('Live speech starts with the first sentence. ', { delay: 10 });
    await page.waitForFunction(() => window.playground.live?.firstAudioAt != null, undefined, { timeout: 20_000 });
    await page.keyboard.type('Then it goes on, sentence after sentence, while the text keeps coming, so there is something to stop. '.repeat(3), { delay: 5 });
    await page.waitForFunction(() => document.querySelector('#live-captions .heard') !== null, undefined, { timeout: 20_000 });
    await shoot('live');
    const captions = await page.$eval('#live-captions', (element) => element.textContent ?? '');
    expect(captions).toContain('Live speech starts with the first sentence');
    await page.click('#live-stop');
    const stoppedAt = await page.evaluate(() => window.playground.live.stoppedAt);
    expect(stoppedAt).not.toBeNull();
    // Audio the server sent before it read the cancel may still arrive: it is dropped, not played.
    // The server confirms the cancel with `done`, after any audio of that context.
    await page.waitForFunction(() => window.playground.live.done === 'cancelled', undefined, { timeout: 10_000 });
    const live = await page.evaluate(() => window.playground.live);
    expect(live.audioMessages).toBeGreaterThan(0);
    expect(live.words).toBeGreaterThan(5);
    expect(live.playedAfterStop).toBe(0);
    expect(live.audioAfterDone).toBe(0);
    expect(await page.$eval('#status', (element) => element.textContent)).toBe('Stopped.');
  });

  it('clones a voice from the microphone and speaks with it at once', async () => {
    await page.click('#record');
    expect(await page.getAttribute('#record', 'aria-pressed')).toBe('true');
    // A clip needs at least 3 s of speech: record 5 s of the fake microphone's file, counted by the
    // page's own clock, which starts once the microphone is open (a loaded machine may take seconds).
    await page.waitForFunction(() => document.querySelector('#record-time')?.textContent === '5 s', undefined, { timeout: 30_000 });
    await page.click('#record');
    await page.fill('#clone-name', 'Microphone voice');
    await page.check('#clone-consent');
    await page.click('#clone-submit');
    await page.waitForFunction(() => /voice_/.test(document.querySelector('#clone-result')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const voiceId = (await page.textContent('#clone-result'))!.match(/voice_[\w-]+/)![0];
    expect(await page.inputValue('#voice')).toBe(voiceId);
    await shoot('cloned');
    await page.selectOption('#format', 'pcm');
    await page.fill('#text', 'Now in my own voice.');
    const speech = await speak();
    expect(speech.status).toBe(200);
    expect(speech.bytes).toBeGreaterThan(0);
    await page.click('#stop');
  });

  it('designs a voice from a description and plays its preview', async () => {
    await page.fill('#design-description', 'A calm, low narrator');
    await page.fill('#design-name', 'Narrator');
    await page.click('#design-submit');
    await page.waitForFunction(() => !!document.querySelector('#design-preview')?.src, undefined, { timeout: 60_000 });
    expect(await page.$eval('#design-preview', (audio) => (audio as unknown as { src: string }).src)).toMatch(/^(data:audio\/wav|blob:)/);
    await shoot('designed');
  });

  it('shows credits left and a usage chart that grows with what was spoken', async () => {
    await page.click('#usage-refresh');
    await page.waitForSelector('#usage-by-day rect[data-characters]', { state: 'attached' });
    const before = await chartTotal('#usage-by-day');
    expect(before).toBeGreaterThanOrEqual([...TEXT].length);
    expect(await page.textContent('#credits')).toMatch(/\d/);
    expect(await page.$$('#usage-by-model rect[data-characters]')).not.toHaveLength(0);

    const more = 'Twenty-nine more characters!!';
    await page.fill('#text', more);
    expect((await speak()).status).toBe(200);
    await page.click('#stop');
    // The ledger is written when the stream settles: refresh until it shows.
    await expect
      .poll(async () => {
        await page.click('#usage-refresh');
        return chartTotal('#usage-by-day');
      }, { timeout: 15_000 })
      .toBe(before + [...more].length);
    await shoot('usage');
  });

  it('as a browser app, mints a client token with the key and speaks with the token only, over HTTP and the socket', async () => {
    const speechAuthorizations: string[] = [];
    const sockets: string[] = [];
    const ticketRequests: string[] = [];
    const onRequest = (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/v1/audio/speech/stream/tickets') ticketRequests.push(path);
      else if (path.startsWith('/v1/audio/speech')) speechAuthorizations.push(request.headers()['authorization'] ?? '');
    };
    const onSocket = (socket: PageSocket) => sockets.push(socket.url());
    page.on('request', onRequest);
    page.on('websocket', onSocket);
    const tokenState = async (id: string) =>
      (await (await fetch(`${stack.edge.url}/v1/tokens/${id}`, { headers: { authorization: `Bearer ${stack.key}` } })).json()) as {
        status: string;
        requests_used: number;
        characters_used: number;
        characters_reserved: number;
      };
    const shownTokenId = async () => (await page.textContent('#token-status'))!.match(/tok_[0-9a-f]{24}/)?.[0];
    try {
      await page.check('#browser-app');
      await page.selectOption('#model', 'espeak');
      await page.selectOption('#voice', 'en-female');
      await page.selectOption('#format', 'pcm');
      const text = 'Spoken with a client token, not the key.';
      await page.fill('#text', text);
      const speech = await speak();
      expect(speech.status).toBe(200);
      expect(speech.bytes).toBeGreaterThan(0);
      await expect.poll(async () => (await lastSpeech()).playbackStartedAt, { timeout: 10_000 }).not.toBeNull();
      await page.click('#stop');
      // The speech request carried the token and nothing of the key.
      expect(speechAuthorizations).toEqual([expect.stringMatching(/^Bearer tkn_acct_[0-9a-f]+\.[0-9a-f]{64}$/)]);
      expect(speechAuthorizations.join('\n')).not.toContain(stack.key);
      // The page shows the token, its expiry and what it has left; the API charged that token.
      const firstId = (await shownTokenId())!;
      expect(firstId).toBeDefined();
      expect(await page.textContent('#token-status')).toMatch(/expires .*characters and .*requests left/);
      await expect.poll(() => tokenState(firstId), { timeout: 10_000 }).toMatchObject({ status: 'active', requests_used: 1, characters_used: [...text].length, characters_reserved: 0 });
      await shoot('browser-app');

      // Live: the socket opens with ?token= (no ticket: that takes a key), and speaks.
      await page.fill('#live-text', '');
      await page.click('#live-text');
      await page.keyboard.type('A token opened this socket. ', { delay: 10 });
      await page.waitForFunction(() => window.playground.live?.firstAudioAt != null, undefined, { timeout: 20_000 });
      expect(sockets.at(-1)).toMatch(/\/v1\/audio\/speech\/stream\?token=tkn_acct_/);
      expect(sockets.at(-1)).not.toContain('ticket=');
      expect(ticketRequests).toEqual([]);
      await page.click('#live-stop');
      await page.waitForFunction(() => window.playground.live.done === 'cancelled', undefined, { timeout: 10_000 });

      // Revoked by its server: the API refuses it, and the page mints another and speaks with that.
      const revoked = await fetch(`${stack.edge.url}/v1/tokens/${firstId}`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.key}` } });
      expect(revoked.status).toBe(200);
      speechAuthorizations.length = 0;
      const again = await speak();
      expect(again.status).toBe(200);
      await page.click('#stop');
      expect(speechAuthorizations).toHaveLength(2);
      expect(speechAuthorizations[0]).not.toBe(speechAuthorizations[1]);
      expect(speechAuthorizations.every((authorization) => authorization.startsWith('Bearer tkn_'))).toBe(true);
      const secondId = await shownTokenId();
      expect(secondId).toMatch(/^tok_/);
      expect(secondId).not.toBe(firstId);

      // Off again: speech goes with the key.
      await page.uncheck('#browser-app');
      speechAuthorizations.length = 0;
      expect((await speak()).status).toBe(200);
      await page.click('#stop');
      expect(speechAuthorizations).toEqual([`Bearer ${stack.key}`]);
      expect(await page.textContent('#token-status')).toBe('');
    } finally {
      page.off('request', onRequest);
      page.off('websocket', onSocket);
    }
  });

  it('says in words when the account is out of requests, with how long to wait', async () => {
    const limited = await stack.edge.createKey({ limits: { requests_per_minute: 1 } });
    await useKey(limited.key);
    await page.fill('#text', 'One.');
    expect((await speak()).status).toBe(200);
    await page.click('#stop');
    expect((await speak()).status).toBe(429);
    const message = (await page.textContent('#error'))!;
    expect(message).toMatch(/\d+ ?s(econds?)?\b/);
    expect(message).not.toMatch(/rate_limit/);
    await shoot('rate-limited');
  });

  it('says in words when the key is wrong', async () => {
    await useKey('tts_not-a-real-key');
    await page.fill('#text', 'Hello.');
    expect((await speak()).status).toBe(401);
    const message = (await page.textContent('#error'))!;
    expect(message.length).toBeGreaterThan(10);
    expect(message).not.toMatch(/invalid_api_key/);
    await shoot('wrong-key');
  });

  it('fits a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shoot('phone');
  });

  it('renders the API reference at /docs', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${stack.edge.url}/docs`);
    await page.waitForFunction(() => /audio\/speech/.test(document.body.innerText), undefined, { timeout: 30_000 });
    await shoot('api-reference');
  });

  it('made no request beyond the edge, and threw nothing', () => {
    expect(foreign).toEqual([]);
    expect(pageErrors.filter((line) => !/Failed to load resource/.test(line))).toEqual([]);
  });
});
