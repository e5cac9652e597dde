import { request } from 'node:http';

/**
 * POSTs a body in chunks with node:http and stops sending as soon as the server answers: what a
 * client sees when a server refuses an upload part-way (fetch reports that as a failed request).
 */
export function postUntilAnswered(
  url: string,
  headers: Record<string, string>,
  chunk: Uint8Array,
  maxBytes: number,
): Promise<{ status: number; body: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, bytesSent });
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
    pump();
  });
}
