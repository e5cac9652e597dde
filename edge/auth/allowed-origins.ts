/**
 * A key's `allowed_origins`: the web pages that may use it. Browsers send `Origin` with every
 * cross-origin request and every WebSocket upgrade, so a page elsewhere is refused; a request
 * without `Origin` comes from a server or a script, not a page, and is not affected (anyone holding
 * the key can send one: this narrows where a key works in browsers, it does not keep it secret).
 * A key without the list works from any origin: a key put in a page is readable by whoever opens
 * it, list or not; pages should get short-lived tokens instead.
 */
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';

export const MAX_ALLOWED_ORIGINS = 50;

/**
 * Exactly as a browser sends it: `http` or `https`, the host in lowercase (punycode), a port only
 * when not the scheme's default, no path, no trailing slash. No wildcard: `*.example.com` would
 * take in every subdomain, including ones others can publish on (preview deployments, user pages).
 */
const isExactOrigin = (value: string): boolean => {
  if (value.includes('*')) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
};

/** What the admin API takes; null (or absent): any origin. */
export const AllowedOriginsSchema = z
  .array(
    z
      .string()
      .refine(
        isExactOrigin,
        'an origin is exactly what a browser sends: scheme, host and port only, e.g. "https://app.example.com" or "http://localhost:5173" (lowercase, no path or trailing slash, no default port, no wildcard)',
      ),
  )
  .min(1)
  .max(MAX_ALLOWED_ORIGINS)
  .nullable()
  .describe('The web origins that may use the key; a request from another origin is refused 403 `origin_not_allowed`. Requests without `Origin` (servers) are not affected. null: any origin.');

export const ORIGIN_ERRORS = errorCatalogue({ 403: ['origin_not_allowed'] });

/**
 * The 403 for a request from a page the key does not allow (null: it may go on). The API's own
 * origin is always allowed: its playground is no other site.
 */
export function originRefusal(allowed: readonly string[] | null | undefined, origin: string | undefined, ownOrigin: string): ApiError | null {
  if (!allowed || origin === undefined || origin === ownOrigin || allowed.includes(origin)) return null;
  return new ApiError(403, 'permission_error', 'origin_not_allowed', `This API key may not be used from ${JSON.stringify(origin)}: the origin is not among its allowed_origins.`);
}
