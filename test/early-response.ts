import { request } from 'node:http';

/**
 * POSTs with node:http as a client that asks first: `Expect: 100-continue`, and the body only
 * once the server says "continue". workerd never does (curl sends after a second anyway), so this
 * is for a refusal the server makes from the head alone (a declared size over what it reads): the
 * answer arrives with nothing sent. A server that waited for the body instead never answers, and
 * the test times out.
 */
export function postAskingFirst(url: string, headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; body: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    const req = request(url, { method: 'POST', headers: { ...headers, expect: '100-continue' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: text, bytesSent });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.on('continue', () => {
      bytesSent = body.byteLength;
      req.end(body);
    });
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
