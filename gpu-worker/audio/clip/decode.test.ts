import { describe, expect, it } from 'vitest';
import { decodeInProcess } from './decode.ts';
import { ClipError } from './errors.ts';
import { chord, wavBytes } from './fixtures.ts';

const job = () => ({ bytes: wavBytes(chord(5, 48_000), 48_000), format: 'wav' as const, stopAfterSeconds: 31, outputRate: 24_000, analysisRate: 16_000 });

describe('the decode process', () => {
  it('answers mono samples at both rates, and the source as decoded', async () => {
    const decoded = await decodeInProcess(job(), { timeoutMs: 15_000, memoryBytes: 512 << 20 });
    expect(decoded).toMatchObject({ sourceSampleRate: 48_000, sourceChannels: 1, sourceFrames: 240_000 });
    expect(Math.abs(decoded.samples.length - 120_000)).toBeLessThan(100);
    expect(Math.abs(decoded.analysisSamples.length - 80_000)).toBeLessThan(100);
  });

  it.skipIf(process.platform !== 'linux')('is killed once its resident memory passes the limit (read from /proc)', async () => {
    const error = await decodeInProcess(job(), { timeoutMs: 15_000, memoryBytes: 1 << 20 }).catch((error: unknown) => error);
    expect(error).toBeInstanceOf(ClipError);
    expect((error as ClipError).message).toMatch(/needs far more memory than any real clip/);
  });
});
