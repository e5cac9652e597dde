import { alaw, mulaw } from 'alawmulaw';
import { parseWavHeader } from '../../shared/audio/wav.ts';

/**
 * Decoders of the formats made of plain samples, for Web Audio: each takes the response's bytes
 * as they arrive, cut anywhere (even mid-sample), and answers the samples they complete, in [-1, 1].
 */
export type SampleDecoder = (bytes: Uint8Array) => Float32Array<ArrayBuffer>;

/** `pcm`: 16-bit signed little-endian. An odd byte at a chunk's end waits for the next chunk. */
export function pcm16Decoder(): SampleDecoder {
  let carry: number | undefined;
  return (bytes) => {
    const available = bytes.length + (carry === undefined ? 0 : 1);
    const samples = new Float32Array(available >> 1);
    const byteAt = (i: number) => (carry === undefined ? bytes[i]! : i === 0 ? carry : bytes[i - 1]!);
    for (let s = 0; s < samples.length; s++) {
      const value = byteAt(2 * s) | (byteAt(2 * s + 1) << 8);
      samples[s] = ((value << 16) >> 16) / 32768;
    }
    carry = available % 2 === 1 ? bytes[bytes.length - 1] : undefined;
    return samples;
  };
}

/** The most header a streamed WAV is read for before it is taken as not WAV. */
const MAX_WAV_HEADER_BYTES = 4096;

/** `wav`: its header (fmt, then data of unknown length), then 16-bit PCM. */
export function wavDecoder(): SampleDecoder {
  const pcm = pcm16Decoder();
  let header: Uint8Array | undefined = new Uint8Array(0);
  return (bytes) => {
    if (!header) return pcm(bytes);
    const joined = new Uint8Array(header.length + bytes.length);
    joined.set(header);
    joined.set(bytes, header.length);
    try {
      const { dataOffset } = parseWavHeader(joined);
      header = undefined;
      return pcm(joined.subarray(dataOffset));
    } catch (error) {
      if (joined.length > MAX_WAV_HEADER_BYTES) throw error;
      header = joined; // the header is not whole yet
      return new Float32Array(0);
    }
  };
}

/** `mulaw` and `alaw`: G.711, one byte a sample. */
export function g711Decoder(law: 'mulaw' | 'alaw'): SampleDecoder {
  const codec = law === 'mulaw' ? mulaw : alaw;
  return (bytes) => Float32Array.from(codec.decode(bytes), (sample) => sample / 32768);
}
