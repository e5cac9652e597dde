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

/** The rates the API offers: telephony, wideband, the codec's own, and the two CD/video rates. */
export const SAMPLE_RATES = [8000, 16_000, 22_050, 24_000, 44_100, 48_000] as const;

export interface FormatSpec {
  /** Audio types stream through workerd chunk by chunk (`text/*` may be buffered). */
  contentType: string;
  sampleRates: readonly number[];
  defaultSampleRate: number;
  /** Bits per second at a rate: exact for PCM and G.711, the encoder's target for compressed formats. */
  bitrate(sampleRate: number): number;
  /**
   * How a stream cut mid-way can be continued by another worker that regenerates the audio and
   * skips the bytes the client has (see `resume_at_byte`):
   * - `samples`: fixed-size samples, so any byte offset is the same point in the audio, even when
   *   the engine's second take differs by a little (espeak adds random noise);
   * - `bytes`: only the very same bytes splice (frames depend on what came before), so only an
   *   engine that regenerates the same samples from the same seed can continue it;
   * - `none`: never (Ogg gives each stream a random serial number).
   */
  splice: 'samples' | 'bytes' | 'none';
}

const pcm16 = (rate: number) => rate * 16;

export const FORMATS: Record<ResponseFormat, FormatSpec> = {
  mp3: { contentType: 'audio/mpeg', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: (rate) => (rate <= 16_000 ? 32_000 : 64_000), splice: 'bytes' },
  // libopus encodes at 8, 12, 16, 24 or 48 kHz; 22.05 and 44.1 kHz would be resampled anyway.
  opus: { contentType: 'audio/ogg', sampleRates: [8000, 16_000, 24_000, 48_000], defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: () => 32_000, splice: 'none' },
  aac: { contentType: 'audio/aac', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: () => 64_000, splice: 'bytes' },
  // Lossless, so no fixed rate: bounded by the 16-bit PCM it encodes.
  flac: { contentType: 'audio/flac', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: pcm16, splice: 'bytes' },
  wav: { contentType: 'audio/wav', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: pcm16, splice: 'samples' },
  pcm: { contentType: 'audio/pcm', sampleRates: SAMPLE_RATES, defaultSampleRate: OUTPUT_SAMPLE_RATE, bitrate: pcm16, splice: 'samples' },
  // G.711: one byte a sample. Telephony runs at 8 kHz, so that is the default.
  mulaw: { contentType: 'audio/pcmu', sampleRates: SAMPLE_RATES, defaultSampleRate: 8000, bitrate: (rate) => rate * 8, splice: 'samples' },
  alaw: { contentType: 'audio/pcma', sampleRates: SAMPLE_RATES, defaultSampleRate: 8000, bitrate: (rate) => rate * 8, splice: 'samples' },
};

/** Whether a stream of `format` from a model can be continued on another worker. */
export function canResume(format: ResponseFormat, model: { capabilities: { seed: boolean } }): boolean {
  const { splice } = FORMATS[format];
  return splice === 'samples' || (splice === 'bytes' && model.capabilities.seed);
}

/** The rate a request gets, or a message naming the rates the format has. */
export function resolveSampleRate(format: ResponseFormat, requested: number | undefined): { rate: number } | { error: string } {
  const spec = FORMATS[format];
  if (requested === undefined) return { rate: spec.defaultSampleRate };
  if (spec.sampleRates.includes(requested)) return { rate: requested };
  return { error: `response_format "${format}" is available at sample_rate ${spec.sampleRates.join(', ')} (default ${spec.defaultSampleRate}), not ${requested}.` };
}
