import { describe, expect, it } from 'vitest';
import { BITRATE_FORMATS, FORMATS, RESPONSE_FORMATS, type ResponseFormat, resolveBitrate, resolveSampleRate, SAMPLE_RATES } from './formats.ts';

describe('sample rates', () => {
  it('32 kHz is offered by every format but opus (libopus has no 32 kHz mode)', () => {
    expect(SAMPLE_RATES).toContain(32_000);
    for (const format of RESPONSE_FORMATS) expect(resolveSampleRate(format, 32_000)).toEqual(format === 'opus' ? { error: expect.stringContaining('8000, 16000, 24000, 48000') } : { rate: 32_000 });
  });
});

describe('resolveBitrate', () => {
  it('without one: the format default at the rate, which the format offers where it offers any', () => {
    for (const format of RESPONSE_FORMATS) {
      for (const rate of FORMATS[format].sampleRates) {
        const resolved = resolveBitrate(format, rate, undefined);
        expect(resolved).toEqual({ bitrate: FORMATS[format].bitrate(rate) });
        if (FORMATS[format].bitrates) expect(FORMATS[format].bitrates!(rate)).toContain(FORMATS[format].bitrate(rate));
      }
    }
    expect(resolveBitrate('mp3', 24_000, undefined)).toEqual({ bitrate: 64_000 });
    expect(resolveBitrate('mp3', 8000, undefined)).toEqual({ bitrate: 32_000 });
    expect(resolveBitrate('opus', 48_000, undefined)).toEqual({ bitrate: 32_000 });
    expect(resolveBitrate('aac', 8000, undefined)).toEqual({ bitrate: 32_000 });
    expect(resolveBitrate('pcm', 32_000, undefined)).toEqual({ bitrate: 512_000 });
  });

  it('mp3: the bitrates of the rate’s MPEG version', () => {
    for (const bitrate of [32_000, 48_000, 64_000, 96_000, 128_000, 192_000, 320_000]) expect(resolveBitrate('mp3', 44_100, bitrate)).toEqual({ bitrate });
    expect(resolveBitrate('mp3', 32_000, 320_000)).toEqual({ bitrate: 320_000 });
    expect(resolveBitrate('mp3', 24_000, 48_000)).toEqual({ bitrate: 48_000 });
    expect(resolveBitrate('mp3', 8000, 8000)).toEqual({ bitrate: 8000 });
    // MPEG-1 starts at 32 kb/s; MPEG-2 stops at 160, MPEG-2.5 at 64; the library has no 56 or 144.
    const refused = [
      [44_100, 16_000, '192000, 224000, 256000, 320000', '8000, 16000, 22050, 24000'],
      [24_000, 192_000, '112000, 128000, 160000', '32000, 44100, 48000'],
      [8000, 96_000, '40000, 48000, 64000', '16000, 22050, 24000, 32000, 44100, 48000'],
      [44_100, 56_000, '48000, 64000', undefined],
      [44_100, 128_001, '160000', undefined],
    ] as const;
    for (const [rate, bitrate, offered, elsewhere] of refused) {
      const resolved = resolveBitrate('mp3', rate, bitrate);
      expect(resolved).toEqual({ error: expect.stringContaining(`response_format "mp3" at sample_rate ${rate} is available at bitrate `) });
      const { error } = resolved as { error: string };
      expect(error).toContain(offered);
      expect(error).toContain(`not ${bitrate}.`);
      if (elsewhere) expect(error).toContain(`${bitrate} needs sample_rate ${elsewhere}.`);
      else expect(error).not.toContain('needs sample_rate');
    }
  });

  it('opus: 16 to 256 kb/s at every rate; aac: half a bit to 4 bits a sample', () => {
    for (const rate of FORMATS.opus.sampleRates) {
      for (const bitrate of [16_000, 32_000, 64_000, 96_000, 128_000, 192_000, 256_000]) expect(resolveBitrate('opus', rate, bitrate)).toEqual({ bitrate });
      expect(resolveBitrate('opus', rate, 320_000)).toHaveProperty('error');
      expect(resolveBitrate('opus', rate, 8000)).toHaveProperty('error');
    }
    expect(FORMATS.aac.bitrates!(8000)).toEqual([16_000, 24_000, 32_000]);
    expect(FORMATS.aac.bitrates!(44_100)).toEqual([24_000, 32_000, 48_000, 64_000, 96_000, 128_000, 160_000]);
    expect(FORMATS.aac.bitrates!(48_000)).toEqual([24_000, 32_000, 48_000, 64_000, 96_000, 128_000, 160_000, 192_000]);
    expect(resolveBitrate('aac', 8000, 64_000)).toEqual({ error: expect.stringContaining('64000 needs sample_rate 16000, 22050, 24000, 32000, 44100, 48000.') });
  });

  it('formats whose bitrate follows from the rate take none', () => {
    expect(BITRATE_FORMATS).toEqual(['mp3', 'opus', 'aac']);
    for (const format of RESPONSE_FORMATS.filter((f) => !BITRATE_FORMATS.includes(f))) {
      expect(resolveBitrate(format, 24_000, FORMATS[format].bitrate(24_000))).toEqual({
        error: `response_format "${format}" takes no bitrate: its bitrate follows from sample_rate. bitrate is for mp3, opus, aac.`,
      });
    }
  });
});
