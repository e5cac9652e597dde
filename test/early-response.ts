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
