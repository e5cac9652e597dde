import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechTimings } from '../playground/src/page-instrumentation.ts';
import { launchChromium, openPlayground, pressSpeak, recordPageErrors, screenshotter } from './harness/browser.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

/** The playground says where the audio came from: headless Chromium against the stack with the audio cache on. */
let stack: StackHarness;
let browser: Browser;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  stack = await startStack({ edgeVars: { AUDIO_CACHE_MODE: 'on' } });
  browser = await launchChromium({ microphoneWav: '/dev/null' });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  pageErrors = recordPageErrors(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('playground: the audio cache', () => {
  it('Speak twice with the same words: rendered and cached, then from the cache', async () => {
    const shoot = screenshotter(page, 'playground-cache');
    await openPlayground(page, stack.edge.url, stack.key);
    await page.fill('#text', 'Welcome back. Your order is on its way.');
    const first = await pressSpeak<SpeechTimings>(page);
    expect(first.status).toBe(200);
    expect(await page.textContent('#audio-source')).toBe('rendered, cached');
    // Stored behind the first answer: Speak again until it is found (each take a request of its own).
    await expect
      .poll(async () => {
        await pressSpeak<SpeechTimings>(page);
        return page.textContent('#audio-source');
      }, { timeout: 15_000 })
      .toBe('from the cache');
    await shoot('from-the-cache');
    expect(pageErrors).toEqual([]);
  });
});
