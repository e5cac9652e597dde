import type { ResponseFormat } from '../../../shared/schemas/speech.ts';
import { aacEncoder } from './aac.ts';
import { flacEncoder } from './flac.ts';
import { g711Encoder } from './g711.ts';
import { mp3Encoder } from './mp3.ts';
import { opusEncoder } from './opus.ts';
import { pcmEncoder } from './pcm.ts';
import type { ByteSink, StreamEncoder } from './types.ts';

export type { ByteSink, StreamEncoder };

/**
 * An encoder for `format` at `sampleRate` (one of the rates shared/audio/formats.ts lists for it)
 * whose bytes go to `sink`. `bitrate` (bits per second) is for the compressed formats that take
 * one: one that `resolveBitrate` allows at this rate; absent, the format's default. Compressed
 * formats come from well-kept codec libraries; see README, "Audio formats", for which and why.
 */
export async function createEncoder(format: ResponseFormat, sampleRate: number, sink: ByteSink, bitrate?: number): Promise<StreamEncoder> {
  switch (format) {
    case 'pcm':
      return pcmEncoder(sink, { sampleRate, wavHeader: false });
    case 'wav':
      return pcmEncoder(sink, { sampleRate, wavHeader: true });
    case 'mulaw':
    case 'alaw':
      return g711Encoder(sink, format);
    case 'mp3':
      return mp3Encoder(sink, sampleRate, bitrate);
    case 'opus':
      return opusEncoder(sink, sampleRate, bitrate);
    case 'aac':
      return aacEncoder(sink, sampleRate, bitrate);
    case 'flac':
      return flacEncoder(sink, sampleRate);
  }
}
