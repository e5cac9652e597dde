import { ElevenLabs } from '@elevenlabs/elevenlabs-js';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../shared/errors.ts';
import { FORMATS, resolveBitrate, resolveSampleRate } from '../../../../shared/audio/formats.ts';
import { DEFAULT_OUTPUT_FORMAT, ELEVENLABS_OUTPUT_FORMATS, parseOutputFormat } from './output-format.ts';

/** Every `output_format` the official ElevenLabs SDK offers for speech, from the SDK itself. */
const SDK_OUTPUT_FORMATS = [
  ...new Set([
    ...Object.values(ElevenLabs.TextToSpeechConvertRequestOutputFormat),
    ...Object.values(ElevenLabs.TextToSpeechStreamRequestOutputFormat),
    ...Object.values(ElevenLabs.TextToSpeechConvertWithTimestampsRequestOutputFormat),
    ...Object.values(ElevenLabs.TextToSpeechStreamWithTimestampsRequestOutputFormat),
  ]),
];

describe('output_format', () => {
  it("is the SDK's set, no more and no less", () => {
    expect([...ELEVENLABS_OUTPUT_FORMATS].sort()).toEqual([...SDK_OUTPUT_FORMATS].sort());
  });

  it('each is a format, rate and bitrate the core offers', () => {
    for (const name of ELEVENLABS_OUTPUT_FORMATS) {
      const { response_format, sample_rate, bitrate } = parseOutputFormat(name);
      expect(resolveSampleRate(response_format, sample_rate), name).toEqual({ rate: sample_rate });
      expect(resolveBitrate(response_format, sample_rate, bitrate), name).toEqual({ bitrate: bitrate ?? FORMATS[response_format].bitrate(sample_rate) });
    }
  });

  it('reads codec, rate and kb/s; ulaw is our mulaw; the default is mp3 at 44.1 kHz, 128 kb/s', () => {
    expect(parseOutputFormat('mp3_22050_32')).toEqual({ response_format: 'mp3', sample_rate: 22_050, bitrate: 32_000 });
    expect(parseOutputFormat('pcm_32000')).toEqual({ response_format: 'pcm', sample_rate: 32_000 });
    expect(parseOutputFormat('ulaw_8000')).toEqual({ response_format: 'mulaw', sample_rate: 8000 });
    expect(parseOutputFormat('opus_48000_64')).toEqual({ response_format: 'opus', sample_rate: 48_000, bitrate: 64_000 });
    expect(DEFAULT_OUTPUT_FORMAT).toBe('mp3_44100_128');
    expect(parseOutputFormat(undefined)).toEqual(parseOutputFormat('mp3_44100_128'));
  });

  it.each(['mp3_44100', 'mp3_44100_320', 'flac_44100', 'MP3_44100_128', ''])('refuses %j: 400 unsupported_output_format listing the valid ones', (name) => {
    const error = (() => {
      try {
        parseOutputFormat(name);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'unsupported_output_format', param: 'output_format' });
    for (const valid of ELEVENLABS_OUTPUT_FORMATS) expect((error as ApiError).message).toContain(valid);
  });
});
