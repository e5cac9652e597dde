import { registerAacEncoder } from '@mediabunny/aac-encoder';
import { AdtsOutputFormat } from 'mediabunny';
import { FORMATS } from '../../../shared/audio/formats.ts';
import { mediabunnyEncoder } from './mediabunny-encoder.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

/** AAC-LC (libavcodec's encoder, as WebAssembly in a worker thread) in ADTS frames, which need no index. */
export function aacEncoder(sink: ByteSink, sampleRate: number, bitrate = FORMATS.aac.bitrate(sampleRate)): Promise<StreamEncoder> {
  registerAacEncoder(); // once per process; later calls do nothing
  return mediabunnyEncoder(sink, sampleRate, { format: new AdtsOutputFormat(), codec: 'aac', bitrate });
}
