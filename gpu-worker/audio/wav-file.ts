import { floatToS16le } from '../../shared/audio/pcm.ts';
import { WAV_HEADER_BYTES, wavHeader } from '../../shared/audio/wav.ts';

/** A whole mono 16-bit WAV file (sizes filled in): what the edge stores as a voice's reference clip. */
export function wavFile(samples: Float32Array, sampleRate: number): Uint8Array {
  const data = floatToS16le(samples);
  const file = new Uint8Array(WAV_HEADER_BYTES + data.byteLength);
  file.set(wavHeader({ sampleRate, channels: 1, bitsPerSample: 16 }, data.byteLength), 0);
  file.set(data, WAV_HEADER_BYTES);
  return file;
}
