import { Mp3Encoder } from '@breezystack/lamejs';
import { FORMATS } from '../../../shared/audio/formats.ts';
import { floatToInt16 } from '../../../shared/audio/pcm.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

/**
 * MP3 from LAME ported to plain JavaScript (lamejs), made synchronously in this thread.
 * @mediabunny/mp3-encoder starts a worker thread and WebAssembly per stream: ~90 ms more to first byte (measured).
 * lamejs turns LAME's bit reservoir off, so each frame decodes alone. A frame (576 samples up to
 * 24 kHz, 1152 above) comes out once 240 samples past it are in, and is sent at once.
 */
export function mp3Encoder(sink: ByteSink, sampleRate: number): StreamEncoder {
  const lame = new Mp3Encoder(1, sampleRate, FORMATS.mp3.bitrate(sampleRate) / 1000);
  // lamejs returns an Int8Array (whatever its types say): the same bytes, viewed unsigned.
  const send = async (frames: ArrayBufferView) => {
    if (frames.byteLength > 0) await sink(new Uint8Array(frames.buffer, frames.byteOffset, frames.byteLength));
  };
  return {
    async write(samples) {
      if (samples.length > 0) await send(lame.encodeBuffer(floatToInt16(samples)));
    },
    async end() {
      await send(lame.flush());
    },
    close() {}, // plain JavaScript: nothing to free but garbage
  };
}
