import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../shared/errors.ts';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv } from '../env.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';
import { bearerToken } from './api-key-auth.ts';

export const ADMIN_AUTH_ERRORS = errorCatalogue({ 401: ['invalid_admin_token'], 503: ['admin_disabled'] });

/** Guards /admin with the ADMIN_TOKEN secret, compared in constant time. */
export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  const expected = edgeConfig(c.env).adminToken;
  if (!expected) throw new ApiError(503, 'service_unavailable', 'admin_disabled', 'ADMIN_TOKEN is not configured.');
  const offered = bearerToken(c.req.header('authorization')) ?? '';
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all(
    [offered, expected].map(async (text) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))),
  );
  if (!crypto.subtle.timingSafeEqual(a!, b!)) {
    throw new ApiError(401, 'authentication_error', 'invalid_admin_token', 'The admin token is missing or wrong.');
  }
  await next();
});
