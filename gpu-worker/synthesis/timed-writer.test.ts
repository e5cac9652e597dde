import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bodyWriter } from './timed-writer.ts';

/** A response that takes every write at once and keeps what it was given, write by write. */
function recordingResponse() {
  const writes: number[][] = [];
  const res = { writeHead() {}, write: (bytes: Uint8Array) => (writes.push([...bytes]), true) } as unknown as ServerResponse;
  return { res, writes };
}

const piece = (value: number) => new Uint8Array(100).fill(value);

describe('bodyWriter batching', () => {
  it('while the listener is ahead, holds audio for one write of up to maxBytes; otherwise writes each piece; end sends what it holds', async () => {
    const { res, writes } = recordingResponse();
    let ahead = false;
    const writer = bodyWriter(res, { skip: 0, timed: false, batch: { ahead: () => ahead, maxBytes: 250 } }, new AbortController().signal);
    await writer.open({});
    await writer.audio(piece(1)); // not ahead: out at once
    expect(writes.length).toBe(1);
    ahead = true;
    await writer.audio(piece(2));
    await writer.audio(piece(3));
    expect(writes.length).toBe(1); // 200 bytes held
    await writer.audio(piece(4)); // 300 ≥ 250: out as one write
    expect(writes.length).toBe(2);
    expect(writes[1]).toEqual([...piece(2), ...piece(3), ...piece(4)]);
    await writer.audio(piece(5));
    await writer.end({ audio_ms: 1, alignment: 'exact' });
    expect(writes.map((w) => w.length)).toEqual([100, 300, 100]);
    expect(writer.sent.bytes).toBe(500);
  });

  it('a piece that comes once the listener is no longer ahead takes what was held with it, in order', async () => {
    const { res, writes } = recordingResponse();
    let ahead = true;
    const writer = bodyWriter(res, { skip: 0, timed: false, batch: { ahead: () => ahead, maxBytes: 10_000 } }, new AbortController().signal);
    await writer.open({});
    await writer.audio(piece(1));
    ahead = false;
    await writer.audio(piece(2));
    expect(writes).toEqual([[...piece(1), ...piece(2)]]);
  });
});
