import { invalidRequest } from '../../../../shared/errors.ts';
import type { ResponseFormat } from '../../../../shared/schemas/speech.ts';

/**
 * ElevenLabs' `output_format` values for speech, each `codec_rate[_kbps]`: the set its SDK
 * offers (output-format.test.ts checks they are the same). Each is a format, rate and bitrate the
 * core offers, so the core's checks pass them all.
 */
export const ELEVENLABS_OUTPUT_FORMATS = [
  'mp3_22050_32',
  'mp3_24000_48',
  'mp3_44100_32',
  'mp3_44100_64',
  'mp3_44100_96',
  'mp3_44100_128',
  'mp3_44100_192',
  'pcm_8000',
  'pcm_16000',
  'pcm_22050',
  'pcm_24000',
  'pcm_32000',
  'pcm_44100',
  'pcm_48000',
  'wav_8000',
  'wav_16000',
  'wav_22050',
  'wav_24000',
  'wav_32000',
  'wav_44100',
  'wav_48000',
  'ulaw_8000',
  'alaw_8000',
  'opus_48000_32',
  'opus_48000_64',
  'opus_48000_96',
  'opus_48000_128',
  'opus_48000_192',
] as const;
export type ElevenLabsOutputFormat = (typeof ELEVENLABS_OUTPUT_FORMATS)[number];

/** ElevenLabs' default, as at ElevenLabs. */
export const DEFAULT_OUTPUT_FORMAT: ElevenLabsOutputFormat = 'mp3_44100_128';

/** Their codec names that differ from ours. */
const CODECS: Readonly<Record<string, ResponseFormat>> = { ulaw: 'mulaw' };

/** What an `output_format` asks of the core: its format, sample rate and (compressed formats) bitrate. */
export interface SpeechOutputFormat {
  response_format: ResponseFormat;
  sample_rate: number;
  /** Bits per second; absent where the rate fixes it (PCM, WAV, G.711). */
  bitrate?: number;
}

const isOutputFormat = (value: string): value is ElevenLabsOutputFormat => (ELEVENLABS_OUTPUT_FORMATS as readonly string[]).includes(value);

/** The format, rate and bitrate of an `output_format`, or 400 `unsupported_output_format` listing the valid ones. */
export function parseOutputFormat(value: string | undefined): SpeechOutputFormat {
  const name = value ?? DEFAULT_OUTPUT_FORMAT;
  if (!isOutputFormat(name)) {
    throw invalidRequest('unsupported_output_format', `output_format ${JSON.stringify(name)} is not one of ${ELEVENLABS_OUTPUT_FORMATS.join(', ')}.`, 'output_format');
  }
  const [codec, rate, kbps] = name.split('_') as [string, string, string | undefined];
  return { response_format: CODECS[codec] ?? (codec as ResponseFormat), sample_rate: Number(rate), ...(kbps === undefined ? {} : { bitrate: Number(kbps) * 1000 }) };
}
