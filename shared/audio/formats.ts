/** Every format the API speaks: OpenAI's set plus telephony's G.711 mu-law and A-law. */
export const RESPONSE_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm', 'mulaw', 'alaw'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

export function isResponseFormat(value: string): value is ResponseFormat {
  return (RESPONSE_FORMATS as readonly string[]).includes(value);
}

/**
 * Engines' audio is resampled to this rate unless the request asks for another: the rate of the
 * Qwen3-TTS codec and what OpenAI's `pcm` format promises, so clients need not ask.
 */
export const OUTPUT_SAMPLE_RATE = 24_000;

/**
 * The rates the API offers: telephony, wideband, the codec's own, 32 kHz (broadcast; MPEG-1's
 * lowest, and one of ElevenLabs' `pcm_*`/`wav_*`), and the two CD/video rates.
 */
export const SAMPLE_RATES = [8000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000] as const;

export interface FormatSpec {
  /** Audio types stream through workerd chunk by chunk (`text/*` may be buffered). */
  contentType: string;
  sampleRates: readonly number[];
  defaultSampleRate: number;
  /**
   * Bits per second at a rate when the request names none: exact for PCM and G.711, the
   * encoder's target for compressed formats.
   */
  bitrate(sampleRate: number): number;
  /**
   * The bitrates (bits per second) a request may ask for at a rate, for the formats whose encoder
   * honours one (`bitrate`, see resolveBitrate); absent: the bitrate follows from the rate.
   */
  bitrates?(sampleRate: number): readonly number[];
  /**
   * How a stream cut mid-way can be continued by another worker that regenerates the audio and
   * skips the bytes the client has (see `resume_at_byte`):
   * - `samples`: fixed-size samples, so any byte offset is the same point in the audio, even when
   *   an engine's second take would differ by a little;
   * - `bytes`: only the very same bytes splice (frames depend on what came before), so only a
   *   deterministic model (the same samples again: espeak, seeded Qwen3) can continue it;
   * - `none`: never (Ogg gives each stream a random serial number).
   */
  splice: 'samples' | 'bytes' | 'none';
}

const pcm16 = (rate: number) => rate * 16;

const kbps = (list: readonly number[]) => list.map((k) => k * 1000);

/**
 * The bitrates a request may ask of each compressed format, in kb/s, each checked with ffprobe on
 * the encoder's output (gpu-worker/audio/encoders/encoders.test.ts):
 *
 * - `mp3`, constant bitrate: the bitrates the MPEG version of the rate has (MPEG-1 at 32, 44.1 and
 *   48 kHz; MPEG-2 at 16, 22.05 and 24; MPEG-2.5 at 8) that wasm-media-encoders passes to LAME (it
 *   lacks 56 and 144). LAME would quietly encode another bitrate for one its rate lacks.
 * - `opus`, libopus's variable bitrate, which it meets on average (less on audio that needs less;
 *   the Ogg pages add about 6 kb/s). A mono stream spends no more than about 256 kb/s.
 * - `aac`, the average libavcodec's AAC-LC encoder aims at (also less on audio that needs less),
 *   from half a bit to 4 bits a sample: it spends up to about 4.6 bits a sample whatever it is
 *   allowed, and more than asked under half a bit.
 */
export const MP3_BITRATES_KBPS = {
  mpeg1: [32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160],
  mpeg25: [8, 16, 24, 32, 40, 48, 64],
} as const;
export const OPUS_BITRATES_KBPS = [16, 24, 32, 48, 64, 96, 128, 160, 192, 256] as const;
export const AAC_BITRATES_KBPS = [16, 24, 32, 48, 64, 96, 128, 160, 192] as const;

const mp3Bitrates = (rate: number) => kbps(rate >= 32_000 ? MP3_BITRATES_KBPS.mpeg1 : rate >= 16_000 ? MP3_BITRATES_KBPS.mpeg2 : MP3_BITRATES_KBPS.mpeg25);
const aacBitrates = (rate: number) => kbps(AAC_BITRATES_KBPS).filter((bitrate) => bitrate >= rate / 2 && bitrate <= rate * 4);

export const FORMATS: Record<ResponseFormat, FormatSpec> = {
  mp3: { contentType: 'audio/mpeg', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: (rate) => (rate <= 16_000 ? 32_000 : 64_000), bitrates: mp3Bitrates, splice: 'bytes' },
  // libopus encodes at 8, 12, 16, 24 or 48 kHz; 22.05, 32 and 44.1 kHz would be resampled anyway.
  opus: { contentType: 'audio/ogg', sampleRates: [8000, 16_000, 24_000, 48_000], defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: () => 32_000, bitrates: () => kbps(OPUS_BITRATES_KBPS), splice: 'none' },
  // 64 kb/s, but at most 4 bits a sample (32 kb/s at 8 kHz): the encoder spends no more.
  aac: { contentType: 'audio/aac', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: (rate) => Math.min(64_000, rate * 4), bitrates: aacBitrates, splice: 'bytes' },
  // Lossless, so no fixed rate: bounded by the 16-bit PCM it encodes.
  flac: { contentType: 'audio/flac', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: pcm16, splice: 'bytes' },
  wav: { contentType: 'audio/wav', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: pcm16, splice: 'samples' },
  pcm: { contentType: 'audio/pcm', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: pcm16, splice: 'samples' },
  // G.711: one byte a sample. Telephony runs at 8 kHz, so that is the default.
  mulaw: { contentType: 'audio/pcmu', sampleRates: SAMPLE_RATES, defaultSampleRate: 8000, bitrate: (rate) => rate * 8, splice: 'samples' },
  alaw: { contentType: 'audio/pcma', sampleRates: SAMPLE_RATES, defaultSampleRate: 8000, bitrate: (rate) => rate * 8, splice: 'samples' },
};

/** Whether a stream of `format` from a model can be continued on another worker: compressed bytes only from a model whose second take is the same audio. */
export function canResume(format: ResponseFormat, model: { capabilities: { deterministic: boolean } }): boolean {
  const { splice } = FORMATS[format];
  return splice === 'samples' || (splice === 'bytes' && model.capabilities.deterministic);
}

/** The rate a request gets, or a message naming the rates the format has. */
export function resolveSampleRate(format: ResponseFormat, requested: number | undefined): { rate: number } | { error: string } {
  const spec = FORMATS[format];
  if (requested === undefined) return { rate: spec.defaultSampleRate };
  if (spec.sampleRates.includes(requested)) return { rate: requested };
  return { error: `response_format "${format}" is available at sample_rate ${spec.sampleRates.join(', ')} (default ${spec.defaultSampleRate}), not ${requested}.` };
}

/** The formats a request may ask a bitrate of. */
export const BITRATE_FORMATS = RESPONSE_FORMATS.filter((format) => FORMATS[format].bitrates);

/**
 * The bitrate (bits per second) a stream of `format` at `sampleRate` is encoded at: the one asked
 * for, when the format offers it at that rate, else a message naming those it does (and the rates
 * that have the one asked for); absent, the format's default.
 */
export function resolveBitrate(format: ResponseFormat, sampleRate: number, requested: number | undefined): { bitrate: number } | { error: string } {
  const spec = FORMATS[format];
  if (requested === undefined) return { bitrate: spec.bitrate(sampleRate) };
  if (!spec.bitrates) {
    return { error: `response_format "${format}" takes no bitrate: its bitrate follows from sample_rate. bitrate is for ${BITRATE_FORMATS.join(', ')}.` };
  }
  const offered = spec.bitrates(sampleRate);
  if (offered.includes(requested)) return { bitrate: requested };
  const elsewhere = spec.sampleRates.filter((rate) => spec.bitrates!(rate).includes(requested));
  const hint = elsewhere.length ? ` ${requested} needs sample_rate ${elsewhere.join(', ')}.` : '';
  return {
    error: `response_format "${format}" at sample_rate ${sampleRate} is available at bitrate ${offered.join(', ')} (bits per second; default ${spec.bitrate(sampleRate)}), not ${requested}.${hint}`,
  };
}
