import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';

/** Bodies up to this size are read to the end before a refusal leaves; larger ones are left. */
export const MAX_DRAINED_BYTES = 1024 * 1024;

/**
 * Reads what is left of a refused request's body before the refusal is sent: HTTP servers' "lingering
 * close". Without it, workerd answers a request whose body nobody read (a 401 before a clip upload
 * was looked at, a 404, a 413) and closes the connection with the body still arriving, which resets
 * it: the client, still sending, gets EPIPE or ECONNRESET instead of the error, and cannot reuse the
 * connection. Cloudflare's front end shields clients from this in production; `wrangler dev` and
 * self-hosted workerd do not. Bounded: a body over MAX_DRAINED_BYTES is left unread.
 */
export const drainRefusedBody = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.status >= 400) await drain(c.req.raw);
});

async function drain(request: Request): Promise<void> {
  const body = request.body;
  if (!body || request.bodyUsed || body.locked) return;
  const reader = body.getReader();
  try {
    for (let read = 0; read <= MAX_DRAINED_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to protect.
  }
}
