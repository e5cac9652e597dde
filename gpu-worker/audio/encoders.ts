import { floatToS16le } from '../../shared/audio/pcm.ts';
import { wavHeader } from '../../shared/audio/wav.ts';
import type { SupportedResponseFormat } from '../../shared/schemas/speech.ts';

/** Turns a stream of float samples into the bytes of one response format, chunk by chunk. */
export interface StreamEncoder {
  /** Bytes that go out before any audio (a container header), if the format has them. */
  start(): Uint8Array | null;
  encode(samples: Float32Array): Uint8Array;
}

export function createEncoder(format: SupportedResponseFormat, sampleRate: number): StreamEncoder {
  switch (format) {
    case 'pcm':
      return { start: () => null, encode: floatToS16le };
    case 'wav':
      return { start: () => wavHeader({ sampleRate, channels: 1, bitsPerSample: 16 }), encode: floatToS16le };
  }
}
