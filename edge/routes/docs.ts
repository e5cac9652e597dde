import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';
/**
 * Scalar's browser build (`@scalar/api-reference`'s dist/browser/standalone.js), served from this
 * origin by the static assets, so the page loads nothing from elsewhere.
 */
export const SCALAR_SCRIPT_PATH = '/vendor/scalar-api-reference.js';

/**
 * `GET /docs`: the API reference, Scalar rendering the OpenAPI document at `/openapi.json`, which
 * is a static asset (built with the playground from edge/openapi/document.ts). Open to anyone, and
 * absent from the document.
 */
export const apiDocsRoute = new Hono<AppEnv>().get(
  DOCS_PATH,
  Scalar({
    url: OPENAPI_PATH,
    cdn: SCALAR_SCRIPT_PATH,
    pageTitle: 'open-tts API reference',
    // Nothing leaves this origin: no font CDN, no telemetry, no request proxy, no hosted AI agent
    // or MCP, no toolbar linking to Scalar's dashboard.
    withDefaultFonts: false,
    telemetry: false,
    proxyUrl: '',
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
  }),
);
