import { createMiddleware } from 'hono/factory';
import { ApiError } from '../../shared/errors.ts';
import { MAX_CLIP_BYTES } from '../../shared/protocol/worker-api.ts';
import { errorCatalogue } from '../openapi/error-catalogue.ts';

/** The largest body each route that limits its body reads; a larger one is refused with 413. */
export const MAX_BODY_BYTES = {
  // The clip plus the other fields and multipart framing.
  voiceClone: MAX_CLIP_BYTES + 64 * 1024,
  // SSML input is at most 16,384 code points of up to 4 bytes (plain text 4,096), plus instructions.
  speech: 128 * 1024,
  // Any other JSON body (voice design, admin): a few fields each (edge/http/json-body.ts).
  json: 64 * 1024,
  poolHeartbeat: 256 * 1024,
  // A long-form job: up to 1,000,000 characters of up to 4 bytes, plus the other fields.
  job: 4 * 1024 * 1024 + 64 * 1024,
} as const;

export const BODY_LIMIT_ERRORS = errorCatalogue({ 413: ['body_too_large'] });

/** The refusal of a body over `maxBytes`, unless a route says it otherwise. */
export const bodyTooLarge = (maxBytes: number): ApiError =>
  new ApiError(413, 'invalid_request_error', 'body_too_large', `The request body is over ${maxBytes / 1024} KiB.`);

/** The largest body any route reads (drain-refused-body sizes what it reads of a refused body by it). */
export const LARGEST_BODY_BYTES = Math.max(...Object.values(MAX_BODY_BYTES));

/**
 * Refuses a body over `maxBytes` with `tooLarge()`: a declared Content-Length at once, unread; a
 * chunked body by counting it as it streams in, keeping what it read for the route. As
 * hono/body-limit does, except that it lets go of a body it refuses, so that drain-refused-body
 * can read the rest (hono's keeps its reader's lock: the rest stayed unread, and workerd reset the
 * connection under a client still sending).
 */
export const bodyLimit = (maxBytes: number, tooLarge: () => Error = () => bodyTooLarge(maxBytes)) =>
  createMiddleware(async (c, next) => {
    const request = c.req.raw;
    if (!request.body) return next();
    if (request.headers.has('content-length') && !request.headers.has('transfer-encoding')) {
      if (Number(request.headers.get('content-length')) > maxBytes) throw tooLarge();
      return next();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = request.body.getReader();
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        size += read.value.byteLength;
        if (size > maxBytes) throw tooLarge();
        chunks.push(read.value);
      }
    } finally {
      reader.releaseLock();
    }
    c.req.raw = new Request(request, { body: new Blob(chunks) });
    await next();
  });
