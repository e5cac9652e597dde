import { registerFlacEncoder } from '@mediabunny/flac-encoder';
import { FlacOutputFormat } from 'mediabunny';
import { mediabunnyEncoder } from './mediabunny-encoder.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

/**
 * FLAC (libFLAC, as WebAssembly in a worker thread). Append-only: the stream header leaves with
 * the first frame and is never rewritten, so it states no length or checksum ("unknown").
 */
export function flacEncoder(sink: ByteSink, sampleRate: number): Promise<StreamEncoder> {
  registerFlacEncoder(); // once per process; later calls do nothing
  return mediabunnyEncoder(sink, sampleRate, { format: new FlacOutputFormat({ appendOnly: true }), codec: 'flac' });
}
