import { describe, expect, it } from 'vitest';
import { silenceWatchdog, UpstreamStalled } from './silence-watchdog.ts';

/** A real stream the test writes to when it chooses, and whether it was cancelled. */
function upstream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = null;
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      cancel: (reason) => void (cancelled = reason),
    },
    { highWaterMark: 0 },
  );
  return { stream, send: (n: number) => controller.enqueue(new Uint8Array(n)), end: () => controller.close(), cancelled: () => cancelled };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('silence watchdog', () => {
  it('errors a read the upstream leaves unanswered past the limit, cancels the upstream and says so once', async () => {
    const source = upstream();
    const stalls: number[] = [];
    const reader = silenceWatchdog(source.stream, { silenceMs: 100, onStall: (waited) => stalls.push(waited) }).getReader();
    source.send(3);
    expect((await reader.read()).value?.byteLength).toBe(3);
    const started = Date.now();
    await expect(reader.read()).rejects.toBeInstanceOf(UpstreamStalled);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeGreaterThanOrEqual(95);
    expect(source.cancelled()).toBeInstanceOf(UpstreamStalled);
  });

  it('does not count the time the reader (a slow client) takes between reads', async () => {
    const source = upstream();
    const stalls: number[] = [];
    const reader = silenceWatchdog(source.stream, { silenceMs: 100, onStall: (waited) => stalls.push(waited) }).getReader();
    source.send(1);
    await reader.read();
    // The client pauses three limits long; the worker, with nothing asked of it, waits too.
    await wait(300);
    const pending = reader.read();
    setTimeout(() => source.send(2), 30);
    expect((await pending).value?.byteLength).toBe(2);
    await wait(300);
    source.end();
    expect((await reader.read()).done).toBe(true);
    expect(stalls).toEqual([]);
    expect(source.cancelled()).toBe(null);
  });

  it('gives the first read its own allowance, then the silence limit', async () => {
    const source = upstream();
    const stalls: number[] = [];
    const reader = silenceWatchdog(source.stream, { silenceMs: 80, firstReadMs: 400, onStall: (waited) => stalls.push(waited) }).getReader();
    const first = reader.read();
    setTimeout(() => source.send(1), 200); // past the silence limit, within the first read's allowance
    expect((await first).value?.byteLength).toBe(1);
    const started = Date.now();
    await expect(reader.read()).rejects.toBeInstanceOf(UpstreamStalled);
    // Judged by the silence limit, not the first read's.
    expect(Date.now() - started).toBeLessThan(350);
    expect(stalls).toHaveLength(1);
  });

  it('a cancel from downstream (the client left) reaches the upstream and stops the watch', async () => {
    const source = upstream();
    const stalls: number[] = [];
    const watched = silenceWatchdog(source.stream, { silenceMs: 50, onStall: (waited) => stalls.push(waited) });
    const reader = watched.getReader();
    source.send(1);
    await reader.read();
    await reader.cancel('client went away');
    await wait(150);
    expect(source.cancelled()).toBe('client went away');
    expect(stalls).toEqual([]);
  });
});
