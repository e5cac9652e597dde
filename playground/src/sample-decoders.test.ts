import { alaw } from 'alawmulaw';
import { describe, expect, it } from 'vitest';
import { wavHeader } from '../../shared/audio/wav.ts';
import { g711Decoder, pcm16Decoder, type SampleDecoder, wavDecoder } from './sample-decoders.ts';

const SAMPLES = [0, 1, -1, 32767, -32768, 12345, -12345];
const pcmBytes = (samples: number[]) => new Uint8Array(Int16Array.from(samples).buffer);

/** The bytes fed in chunks cut at every `step` bytes, as a stream may deliver them. */
function decodeInChunks(decode: SampleDecoder, bytes: Uint8Array, step: number): number[] {
  const out: number[] = [];
  for (let at = 0; at < bytes.length; at += step) out.push(...decode(bytes.subarray(at, at + step)));
  return out;
}

describe('pcm16Decoder', () => {
  it.each([1, 2, 3, 5, 14])('gives every sample, in [-1, 1], however the stream is cut (%i-byte chunks)', (step) => {
    const samples = decodeInChunks(pcm16Decoder(), pcmBytes(SAMPLES), step);
    expect(samples).toEqual(SAMPLES.map((sample) => sample / 32768));
  });
});

describe('wavDecoder', () => {
  it.each([1, 7, 44, 50])('skips the header, even split across chunks (%i-byte chunks)', (step) => {
    const header = wavHeader({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
    const stream = new Uint8Array([...header, ...pcmBytes(SAMPLES)]);
    expect(decodeInChunks(wavDecoder(), stream, step)).toEqual(SAMPLES.map((sample) => sample / 32768));
  });

  it('refuses a stream that is not WAV once it has read enough to know', () => {
    const decode = wavDecoder();
    expect(() => decode(new Uint8Array(5000))).toThrow();
  });
});

describe('g711Decoder', () => {
  it('decodes one byte a sample', () => {
    const encoded = alaw.encode(Int16Array.from([0, 1000, -1000, 30000]));
    const decoded = g711Decoder('alaw')(encoded);
    expect(decoded).toHaveLength(4);
    expect(Array.from(decoded, (sample) => Math.round(sample * 32768))).toEqual(Array.from(alaw.decode(encoded)));
  });
});
