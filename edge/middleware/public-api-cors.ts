import { cors } from 'hono/cors';
import { JOB_CREATED_HEADERS, JOB_FILE_HEADERS } from '../jobs/job-headers.ts';
import { WWW_AUTHENTICATE_HEADERS } from './api-key-auth.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import { RETRY_AFTER_HEADERS } from '../openapi/headers.ts';
import { SPEECH_RESPONSE_HEADERS } from '../speech/speech-docs.ts';

/** The methods of the public API (`/v1/...`); a test checks them against the OpenAPI document. */
export const PUBLIC_API_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

/** Every request header the public API reads (content-length aside, which browsers set themselves). */
export const PUBLIC_API_REQUEST_HEADERS = ['authorization', 'content-type', REQUEST_ID_HEADER] as const;

/**
 * Headers the official `openai` client sends from a browser (`dangerouslyAllowBrowser`), which the
 * API ignores: a preflight that did not allow them would make the browser refuse every call it makes.
 */
export const OPENAI_CLIENT_REQUEST_HEADERS = [
  'openai-organization',
  'openai-project',
  'x-stainless-arch',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-retry-count',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-timeout',
] as const;

/**
 * Every response header a client may read, taken from the headers the API documents (so a header
 * documented for the API reference is exposed to pages too): the request id, what a speech answer
 * says about its audio, timings and limits, a job's Location and its file's Range headers,
 * Retry-After, and the 401's WWW-Authenticate.
 * content-type, content-length and cache-control need no listing: browsers always let pages read them.
 */
export const EXPOSED_RESPONSE_HEADERS = Object.keys({
  ...SPEECH_RESPONSE_HEADERS,
  ...JOB_CREATED_HEADERS,
  ...JOB_FILE_HEADERS,
  ...RETRY_AFTER_HEADERS,
  ...WWW_AUTHENTICATE_HEADERS,
});

/**
 * CORS for the public API, so that web pages on other origins can call it. Any origin: keys are
 * sent as a bearer header, never as cookies, so a page can only spend a key it was given; a key
 * limited to some origins refuses the others itself (403 `origin_not_allowed`, api-key-auth.ts),
 * with these headers on, so that the page reads why. The headers are set before the route runs,
 * and Hono copies them onto whatever answers, the error handler's and not-found's included.
 */
export const publicApiCors = cors({
  origin: '*',
  allowMethods: [...PUBLIC_API_METHODS],
  allowHeaders: [...PUBLIC_API_REQUEST_HEADERS, ...OPENAI_CLIENT_REQUEST_HEADERS],
  exposeHeaders: EXPOSED_RESPONSE_HEADERS,
  // Chromium keeps a preflight's answer at most 2 hours, Firefox 24: one preflight per page and hour or two.
  maxAge: 7200,
});
