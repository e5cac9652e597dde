import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobTimings } from '../playground/src/page-instrumentation.ts';
import { longText } from './fixtures/long-text.ts';
import { launchChromium, openPlayground, recordForeignRequests, recordPageErrors, screenshotter } from './harness/browser.ts';
import { type StackHarness, startStack } from './harness/stack.ts';

/**
 * The playground's Jobs panel in headless Chromium against the real stack (a worker with espeak
 * behind the edge in workerd, Miniflare's queue, R2 and Durable Objects): a pasted text becomes a
 * job whose audio plays while it renders and whose file downloads whole; a dropped Markdown file
 * becomes one too; a long job is cancelled. One chunk in flight per job (JOB_CHUNKS_IN_FLIGHT=1),
 * so that a job renders chunk after chunk and playing before it completes is a fact to check.
 * Screenshots go to test-output/playground-jobs/.
 */

/* The page's globals as the callbacks given to page.evaluate see them (this file has Node's types only). */
declare const window: { playground: { job: JobTimings | null } };
interface PageLink {
  href: string;
  download: string;
}

let stack: StackHarness;
let browser: Browser;
let page: Page;
let foreign: string[];
let pageErrors: string[];
let shoot: (name: string) => Promise<string>;

beforeAll(async () => {
  stack = await startStack({ edgeVars: { JOB_CHUNKS_IN_FLIGHT: '1' } });
  // The page records no microphone here; the launcher needs a file all the same.
  browser = await launchChromium({ microphoneWav: '/dev/null' });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  foreign = recordForeignRequests(page, stack.edge.url);
  pageErrors = recordPageErrors(page);
  shoot = screenshotter(page, 'playground-jobs');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const shownJob = () => page.evaluate(() => window.playground.job);

/** Waits until the panel shows a job other than `previous` that has reached `status`. */
async function jobReaching(previous: string | undefined, status: string, timeout = 60_000): Promise<JobTimings> {
  await page.waitForFunction(
    ([before, wanted]) => {
      const job = window.playground.job;
      return !!job && job.id !== before && job.status === wanted && (wanted !== 'completed' || job.downloadBytes !== null);
    },
    [previous, status] as const,
    { timeout },
  );
  return (await shownJob())!;
}

/** The bytes behind one of the panel's links (a blob URL), as the browser gives them. */
const linkBytes = (selector: string) =>
  page.$eval(selector, async (link) => {
    const { href, download } = link as unknown as PageLink;
    const bytes = new Uint8Array(await (await fetch(href)).arrayBuffer());
    return { name: download, size: bytes.length, text: new TextDecoder().decode(bytes.subarray(0, 200)) };
  });

const apiGet = (path: string) => stack.edge.fetch(path, { key: stack.key });

describe('playground Jobs panel in Chromium', () => {
  let firstJob: string;

  it('loads with the key and lists no job yet', async () => {
    await openPlayground(page, stack.edge.url, stack.key);
    expect(await page.$$('#job-list li')).toHaveLength(0);
    expect(await page.inputValue('#job-format')).toBe('mp3');
  });

  it('renders a pasted text: progress to completed, audio playing before the job completes, the whole file downloaded', async () => {
    const text = longText(3000);
    await page.fill('#job-text', text);
    await page.click('#job-submit');
    const job = await jobReaching(undefined, 'completed');
    firstJob = job.id;
    await shoot('completed');

    // Played from the stream while the job still rendered.
    expect(job.playingAt).not.toBeNull();
    expect(job.finishedAt).not.toBeNull();
    expect(job.playingAt!).toBeLessThan(job.finishedAt!);
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } } }).document.querySelector('#job-audio')!.currentTime > 0.5);

    const view = (await (await apiGet(`/v1/audio/jobs/${job.id}`)).json()) as { status: string; chunks: number; characters: number };
    expect(view.status).toBe('completed');
    expect(view.chunks).toBeGreaterThan(2);
    expect(await page.textContent('#job-state')).toContain(`${job.id}: completed`);
    expect(await page.textContent('#job-chunks')).toBe(`${view.chunks} of ${view.chunks}`);
    expect((await page.textContent('#job-characters'))!.replace(/\D/g, '')).toBe(`${view.characters}${view.characters}`);
    expect(await page.textContent('#job-webhook')).toBe('none');

    // The download is the finished file, byte for byte as long as GET audio's.
    const fileBytes = (await (await apiGet(`/v1/audio/jobs/${job.id}/audio`)).arrayBuffer()).byteLength;
    const download = await linkBytes('#job-download');
    expect(download.name).toBe(`${job.id}.mp3`);
    expect(download.size).toBe(fileBytes);
    expect(job.downloadBytes).toBe(fileBytes);

    const subtitles = await linkBytes('#job-subtitles');
    expect(subtitles.text).toMatch(/^WEBVTT/);
    const timestamps = await linkBytes('#job-timestamps');
    expect(timestamps.text).toContain('"words"');

    await page.waitForSelector(`#job-list button[data-job-id="${job.id}"][data-status="completed"]`, { state: 'attached' });
  });

  it('renders a dropped Markdown file, sent as multipart', async () => {
    const requests: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/audio/jobs') requests.push(request.headers()['content-type'] ?? '');
    });
    await page.setInputFiles('#job-file', { name: 'chapter.md', mimeType: 'text/markdown', buffer: Buffer.from(`# A chapter\n\n${longText(600)}\n`) });
    expect(await page.textContent('#job-text-count')).toContain('chapter.md');
    await page.click('#job-submit');
    const job = await jobReaching(firstJob, 'completed');
    expect(requests).toEqual([expect.stringMatching(/^multipart\/form-data/)]);
    expect(job.downloadBytes).toBeGreaterThan(0);
  });

  it('cancels a second job: the panel and the list show it cancelled', async () => {
    const before = (await shownJob())!.id;
    await page.fill('#job-text', longText(30_000));
    await page.click('#job-submit');
    await page.waitForFunction((previous) => !!window.playground.job && window.playground.job.id !== previous, before);
    await page.click('#job-cancel:not([disabled])');
    const job = await jobReaching(before, 'cancelled');
    expect(await page.textContent('#job-state')).toContain(`${job.id}: cancelled`);
    expect(await page.getAttribute('#job-download', 'aria-disabled')).toBe('true');
    await page.waitForSelector(`#job-list button[data-job-id="${job.id}"][data-status="cancelled"]`, { state: 'attached' });
    await shoot('cancelled');
  });

  it('selecting a finished job from the list shows it with its files', async () => {
    await page.click(`#job-list button[data-job-id="${firstJob}"]`);
    await page.waitForFunction((id) => window.playground.job?.id === id && window.playground.job.downloadBytes !== null, firstJob);
    expect(await page.textContent('#job-state')).toContain(`${firstJob}: completed`);
    expect(await page.getAttribute(`#job-list button[data-job-id="${firstJob}"]`, 'aria-current')).toBe('true');
  });

  it('made no request beyond the edge, and threw nothing', () => {
    expect(foreign).toEqual([]);
    expect(pageErrors.filter((line) => !/Failed to load resource/.test(line))).toEqual([]);
  });
});
