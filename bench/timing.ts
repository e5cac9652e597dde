import { parseServerTiming, type Timings } from '../shared/protocol/server-timing.ts';

/** What one streamed request took: until the first body byte, until the end, and its size. */
export interface Sample {
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  /** Its `Server-Timing` durations (ms): where the time to first byte went, as the servers saw it. */
  serverTiming: Timings;
  headers: Headers;
  /** The body itself, when asked for (`keepBody`). */
  body?: Uint8Array;
}

/** Sends a request and reads its body to the end, timing the first chunk and the whole (and keeping it, with `keepBody`). */
export async function timed(send: () => Promise<Response>, { keepBody = false } = {}): Promise<Sample> {
  const start = performance.now();
  const response = await send();
  if (!response.ok) throw new Error(`request failed: ${response.status} ${await response.text()}`);
  const reader = response.body!.getReader();
  let firstByteMs = NaN;
  let bytes = 0;
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - start;
    if (done) break;
    bytes += value.byteLength;
    if (keepBody) chunks.push(value);
  }
  const totalMs = performance.now() - start;
  return {
    firstByteMs,
    totalMs,
    bytes,
    serverTiming: parseServerTiming(response.headers.get('server-timing')),
    headers: response.headers,
    ...(keepBody ? { body: Buffer.concat(chunks) } : {}),
  };
}

/** The p-th percentile (nearest rank) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
