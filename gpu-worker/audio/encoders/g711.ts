import alawmulaw from 'alawmulaw';
import { floatToInt16 } from '../../../shared/audio/pcm.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

/** G.711 (ITU-T): one byte a sample, mu-law (North America, Japan) or A-law (elsewhere). */
export function g711Encoder(sink: ByteSink, law: 'mulaw' | 'alaw'): StreamEncoder {
  const codec = alawmulaw[law];
  return {
    async write(samples) {
      if (samples.length === 0) return;
      await sink(codec.encode(floatToInt16(samples)));
    },
    async end() {},
    close() {},
  };
}
