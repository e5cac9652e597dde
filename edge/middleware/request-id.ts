import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';

export const REQUEST_ID_HEADER = 'x-request-id';

// A caller's id is kept only if it is short and plain, so it is safe to log and forward.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Gives every request an id, echoed on every response (errors included) and sent to the worker. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const offered = c.req.header(REQUEST_ID_HEADER);
  const id = offered && ACCEPTABLE_ID.test(offered) ? offered : `req_${crypto.randomUUID().replaceAll('-', '')}`;
  c.set('requestId', id);
  c.header(REQUEST_ID_HEADER, id);
  await next();
});
