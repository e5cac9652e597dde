import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Headless Chromium (Debian's `chromium`, which `.ci/run` installs when missing) driven by
 * playwright-core. Its microphone is a fake device that plays a WAV file, its permission prompts
 * answer yes, and audio may start without a user gesture, so a test can record and listen.
 */

/** The browser binary itself: Debian's /usr/bin/chromium is a shell wrapper around it. */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string {
  const found = CANDIDATES.find((path): path is string => !!path && existsSync(path));
  if (!found) throw new Error(`No Chromium found (tried ${CANDIDATES.filter(Boolean).join(', ')}): install Debian's "chromium" (.ci/run does) or set CHROMIUM_PATH.`);
  return found;
}

export async function launchChromium(options: { microphoneWav: string }): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${options.microphoneWav}`,
      // Containers give /dev/shm 64 MB; Chromium's renderers want more.
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Every request a page makes that leaves `origin` (blob: and data: URLs stay in the page). The
 * playground and the API reference must make none: everything is served by the edge.
 */
export function recordForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !/^(blob|data):/.test(url)) foreign.push(url);
  });
  return foreign;
}

/** Messages the page logged as errors, and uncaught exceptions: a page that throws is failing. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

export const TEST_OUTPUT = new URL('../../test-output/', import.meta.url).pathname;

/** Screenshots go to test-output/<folder>/, numbered in the order taken, for a person to look at. */
export function screenshotter(page: Page, folder: string) {
  let count = 0;
  const dir = join(TEST_OUTPUT, folder);
  return async (name: string) => {
    await mkdir(dir, { recursive: true });
    count += 1;
    const path = join(dir, `${String(count).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
}

/** The page's record of its last speech request (playground/src/page-instrumentation.ts), as a test reads it. */
interface LastSpeech {
  requestSentAt: number | null;
  responseEndedAt: number | null;
  status: number | null;
}
declare const window: { playground?: { lastSpeech: LastSpeech | null } };

/** Presses the playground's Speak and waits for that request's answer to end (or fail); returns the page's record of it. */
export async function pressSpeak<T extends LastSpeech>(page: Page): Promise<T> {
  const before = await page.evaluate(() => window.playground?.lastSpeech?.requestSentAt ?? null);
  await page.click('#speak');
  await page.waitForFunction(
    (previous) => {
      const speech = window.playground?.lastSpeech;
      return speech && speech.requestSentAt !== previous && (speech.responseEndedAt !== null || (speech.status !== null && speech.status >= 400));
    },
    before,
    { timeout: 45_000 },
  );
  return (await page.evaluate(() => window.playground!.lastSpeech)) as T;
}

/** Opens the playground, saves the API key, and chooses `model` once the page has listed it. */
export async function openPlayground(page: Page, origin: string, key: string, model = 'espeak'): Promise<void> {
  await page.goto(`${origin}/`);
  await page.fill('#api-key', key);
  await page.click('#save-key');
  await page.waitForSelector(`#model option[value="${model}"]`, { state: 'attached' });
  await page.selectOption('#model', model);
}
