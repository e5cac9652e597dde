import { floatToS16le } from '../../../shared/audio/pcm.ts';
import { wavHeader } from '../../../shared/audio/wav.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

/** Raw s16le, optionally behind a WAV header whose sizes say "until the end of the stream". */
export function pcmEncoder(sink: ByteSink, options: { sampleRate: number; wavHeader: boolean }): StreamEncoder {
  let started = !options.wavHeader;
  return {
    async write(samples) {
      if (!started) {
        started = true;
        await sink(wavHeader({ sampleRate: options.sampleRate, channels: 1, bitsPerSample: 16 }));
      }
      if (samples.length > 0) await sink(floatToS16le(samples));
    },
    async end() {
      await this.write(new Float32Array(0));
    },
    close() {},
  };
}
