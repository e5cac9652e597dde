import { OggOutputFormat } from 'mediabunny';
import { FORMATS } from '../../../shared/audio/formats.ts';
import { mediabunnyEncoder } from './mediabunny-encoder.ts';
import { registerOpusscriptEncoder } from './opusscript-codec.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

/**
 * An Ogg page leaves once the next packet would make it longer than this (and mediabunny holds one
 * packet back), so the first audio leaves with the first 80 ms of input. Each page costs a ~28-byte
 * header: ~5 kb/s over the codec's 32 kb/s at this length, ~2 kb/s at 100 ms pages.
 */
const PAGE_SECONDS = 0.04;

/** Opus (libopus via opusscript) in Ogg pages. Ogg numbers each stream at random, so no other worker can splice it. */
export function opusEncoder(sink: ByteSink, sampleRate: number, bitrate = FORMATS.opus.bitrate(sampleRate)): Promise<StreamEncoder> {
  registerOpusscriptEncoder();
  return mediabunnyEncoder(sink, sampleRate, {
    format: new OggOutputFormat({ maximumPageDuration: PAGE_SECONDS }),
    codec: 'opus',
    bitrate,
  });
}
