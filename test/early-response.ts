import { request } from 'node:http';

/**
 * POSTs a body in chunks with node:http as curl uploads: `Expect: 100-continue` first (sending
 * anyway after a second without an answer), and no more once the server has answered. So a
 * refusal the server sends before reading the upload (a bad key, a declared size over the limit)
 * is read, where a client that had sent the body would see its connection reset.
 */
export function postUntilAnswered(
  url: string,
  headers: Record<string, string>,
  chunk: Uint8Array,
  maxBytes: number,
): Promise<{ status: number; headers: Record<string, string>; body: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    let sending = false;
    const req = request(url, { method: 'POST', headers: { ...headers, expect: '100-continue' } }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => {
        const headers = Object.fromEntries(Object.entries(res.headers).map(([name, value]) => [name, String(value)]));
        resolve({ status: res.statusCode ?? 0, headers, body, bytesSent });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && bytesSent < maxBytes) {
        bytesSent += chunk.byteLength;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    const send = () => {
      if (sending || answered) return;
      sending = true;
      pump();
    };
    req.on('continue', send);
    setTimeout(send, 1_000).unref();
  });
}

/**
 * POSTs a multipart form with plain fetch (undici), as most HTTP clients upload: no `Expect:
 * 100-continue`, and the whole body sent whatever the server answers meanwhile. `declared` sends
 * its Content-Length; `streamed` sends it chunked, with no length. A server that answers before it
 * has read the body and then closes makes this fetch fail with ECONNRESET or EPIPE (or not: it
 * races the kernel's socket buffers).
 */
export function postFormWithFetch(url: string, headers: Record<string, string>, form: FormData, framing: 'declared' | 'streamed'): Promise<Response> {
  if (framing === 'declared') return fetch(url, { method: 'POST', headers, body: form });
  const encoded = new Request(url, { method: 'POST', body: form });
  const streamed = { ...headers, 'content-type': encoded.headers.get('content-type')! };
  return fetch(url, { method: 'POST', headers: streamed, body: encoded.body, duplex: 'half' } as RequestInit);
}

/**
 * A body of `bytes` zero bytes, handed to the client 64 KiB at a time as it sends; `taken` says how
 * much it has taken so far. fetch answers as soon as the server does, even with the upload still
 * going: `taken` then tells whether the server read the body to its end before it answered.
 */
export function countedUpload(bytes: number): { body: ReadableStream<Uint8Array>; taken: () => number } {
  let taken = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (taken === bytes) return controller.close();
        const chunk = new Uint8Array(Math.min(64 * 1024, bytes - taken));
        taken += chunk.byteLength;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, taken: () => taken };
}
