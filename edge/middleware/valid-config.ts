import { createMiddleware } from 'hono/factory';
import { edgeConfig } from '../config/edge-config.ts';
import type { AppEnv } from '../env.ts';

/**
 * Refuses every request with 500 `server_misconfigured` while the deployment's variables or
 * secrets are invalid (edge/config/schema.ts), before any route reads them: the reason is logged
 * once per isolate, and clients get the JSON error with their request id, never a stack trace.
 */
export const validConfig = createMiddleware<AppEnv>(async (c, next) => {
  edgeConfig(c.env);
  await next();
});
