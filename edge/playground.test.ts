import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EdgeHarness, startEdge } from '../test/harness/edge.ts';

// The playground as workerd serves it: wrangler.toml's [assets] in front of the edge, which still
// answers every path that is no file there. (The page itself is driven in Chromium by test/playground.test.ts.)
let edge: EdgeHarness;
beforeAll(async () => {
  edge = await startEdge({ workerUrls: ['http://127.0.0.1:9'], workerSecret: 'unused' });
});
afterAll(() => edge?.dispose());

/** Every URL the markup or stylesheet names: src, href, action, and CSS url() and @import. */
const referencedUrls = (text: string) =>
  [...text.matchAll(/\b(?:src|href|action)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]*)|@import\s+["']([^"']+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);

describe('the playground at /', () => {
  let html: string;
  beforeAll(async () => {
    const response = await edge.fetch('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    html = await response.text();
  });

  it('is the page, with the elements its controls are known by', () => {
    for (const id of ['api-key', 'save-key', 'text', 'model', 'voice', 'language', 'format', 'speed', 'speak', 'stop', 'download', 'waveform', 'status', 'error', 'clone-file', 'record', 'clone-consent', 'design-preview', 'usage-by-day', 'usage-by-model']) {
      expect(html).toContain(`id="${id}"`);
    }
  });

  it('serves its script and stylesheet with their types', async () => {
    const assets = referencedUrls(html).filter((url) => /\.(js|css)$/.test(url));
    expect(assets.sort()).toEqual(['/app.js', '/styles.css']);
    for (const [path, type] of [['/app.js', /^(text|application)\/javascript/], ['/styles.css', /^text\/css/]] as const) {
      const response = await edge.fetch(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(type);
      expect((await response.text()).length, path).toBeGreaterThan(1000);
    }
  });

  it('names no other host: everything it loads comes from the edge', async () => {
    const css = await (await edge.fetch('/styles.css')).text();
    const urls = [...referencedUrls(html), ...referencedUrls(css)];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url, url).toMatch(/^(\/(?!\/)|#|data:)/);
    // The script builds its requests from paths; its absolute URLs are W3C namespaces (SVG's, and
    // XML's and xmlns' in saxes, which counts SSML's billed characters): names, not requests.
    const script = await (await edge.fetch('/app.js')).text();
    const namespaces = ['http://www.w3.org/2000/svg', 'http://www.w3.org/XML/1998/namespace', 'http://www.w3.org/2000/xmlns/'];
    expect(namespaces.reduce((rest, name) => rest.replaceAll(name, ''), script)).not.toMatch(/\bhttps?:\/\//);
  });

  it("has the browser keep it to its origin (Content-Security-Policy), and the assets' rules file is not served", async () => {
    const policy = (await edge.fetch('/')).headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect((await edge.fetch('/_headers')).status).toBe(404);
  });

  it("serves the API reference renderer for /docs from the edge's own origin", async () => {
    const response = await edge.fetch('/vendor/scalar-api-reference.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    await response.arrayBuffer();
  });
});

describe('paths that are no asset reach the edge', () => {
  it('answers the API as before', async () => {
    const response = await edge.fetch('/v1/models');
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
  });

  it('answers an unknown path with its JSON 404', async () => {
    const response = await edge.fetch('/no-such-page');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });
});
