import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../shared/errors.ts';

/** Reads a request body up to `limit` bytes; a larger one is refused with 413 before it is all read. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new ApiError(413, 'invalid_request_error', 'body_too_large', `The body is over ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'invalid_request_error', 'body_too_large', `The body is over ${limit} bytes.`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * An abort signal for the work a request started: it fires when the client goes away before the
 * response is finished, including when it went before this was called (while its body was read or
 * its signature checked), whose 'close' event no one heard.
 */
export function clientGoneSignal(res: ServerResponse): AbortSignal {
  const cancel = new AbortController();
  const gone = () => {
    if (!res.writableFinished) cancel.abort(new Error('client went away'));
  };
  res.on('close', gone);
  if (res.destroyed) gone();
  return cancel.signal;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.status, error.toJSON(), error.headers);
}

/** Writes with backpressure: resolves once the socket can take more, rejects if it closes. */
export async function write(res: ServerResponse, bytes: Uint8Array | null, signal: AbortSignal): Promise<void> {
  if (!bytes || bytes.byteLength === 0) return;
  if (!res.write(bytes)) await once(res, 'drain', { signal });
}
