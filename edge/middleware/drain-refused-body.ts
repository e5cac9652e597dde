import { createMiddleware } from 'hono/factory';
import { LARGEST_BODY_BYTES } from '../http/body-limit.ts';

/**
 * A refused body up to this size is read to its end: twice the largest body a route reads (a
 * 10 MB clip and its form), so that an upload over its limit by as much again still gets its 413.
 */
export const MAX_DRAINED_BYTES = 2 * LARGEST_BODY_BYTES;

/** The slowest upload waited for: a body gets as long as it takes at this rate, and at least a second. */
export const SLOWEST_DRAINED_BYTES_PER_SECOND = 1024 * 1024;

/**
 * Reads what is left of a refused request's body before the refusal is sent: HTTP servers' "lingering
 * close". Without it, workerd answers a request whose body nobody read (a 401 before a clip upload
 * was looked at, a 404, a 413) and closes the connection with the body still arriving, which resets
 * it: the client, still sending (fetch and most clients send the whole body without waiting), gets
 * EPIPE or ECONNRESET instead of the error, and cannot reuse the connection. Cloudflare's front end
 * shields clients from this in production; `wrangler dev` and self-hosted workerd do not.
 *
 * Each chunk is counted and dropped as it is read, so a drain holds one chunk at a time. Bounded:
 * a body declared over MAX_DRAINED_BYTES is not read at all, a chunked one no further than that,
 * and a client slower than SLOWEST_DRAINED_BYTES_PER_SECOND (a slow loris) is cut off; in those
 * cases the refusal still leaves, and the connection may reset under the client.
 */
export const drainRefusedBody = createMiddleware(async (c, next) => {
  await next();
  if (c.res.status >= 400) await drain(c.req.raw);
});

async function drain(request: Request): Promise<void> {
  // Not `bodyUsed`: a body that a limit refused part way through has been read from, and has more to come.
  if (!request.body || request.body.locked) return;
  const declared = Number(request.headers.get('content-length') ?? MAX_DRAINED_BYTES);
  if (declared > MAX_DRAINED_BYTES) return;
  const reader = request.body.getReader();
  // Cancelling ends the pending read (as done) and the loop.
  const deadline = setTimeout(() => void reader.cancel().catch(() => {}), 1000 * Math.max(1, declared / SLOWEST_DRAINED_BYTES_PER_SECOND));
  try {
    for (let read = 0; read <= MAX_DRAINED_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to protect.
  } finally {
    clearTimeout(deadline);
  }
}
