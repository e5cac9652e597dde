import { FORMATS, OUTPUT_SAMPLE_RATE } from '../../shared/audio/formats.ts';
import { WAV_HEADER_BYTES } from '../../shared/audio/wav.ts';
import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import type { StreamOutcome } from '../http/metered-stream.ts';

/**
 * The settlement rule (docs/billing.md): 1 credit = 1 input character (Unicode code point).
 * A stream that completes is charged its characters. A stream that ends early (the client went
 * away, or the worker failed mid-stream) is charged for the audio it delivered, at a published
 * rate of audio per character for its language, and never more than its characters:
 *
 *   charge = min(characters, ceil(delivered_audio_ms × speed / ms_per_character[language]))
 *
 * The rates are a fixed price list, measured as the typical audio length of a character at
 * speed 1 (a character of Chinese says far more than one of English), so a client that stops
 * halfway pays about half and a client that received no audio pays nothing.
 */
export const AUDIO_MS_PER_CHARACTER: Record<string, number> = {
  en: 55,
  de: 55,
  fr: 55,
  es: 55,
  it: 55,
  pt: 55,
  ru: 55,
  ar: 85,
  ko: 150,
  zh: 250,
  ja: 300,
};
/** For a language the table does not list. */
export const DEFAULT_AUDIO_MS_PER_CHARACTER = 55;

export const audioMsPerCharacter = (language: string): number =>
  AUDIO_MS_PER_CHARACTER[language.split('-')[0]!] ?? DEFAULT_AUDIO_MS_PER_CHARACTER;

/**
 * How far above its nominal bitrate a second of a variable-rate format may run: Opus's VBR plus
 * its Ogg pages measured about 1.22 × at 32 kb/s on speech, AAC within 1.1 × plus its ADTS
 * headers. Metering divides by the most a second may take, so that its estimate errs short.
 */
const VARIABLE_RATE_HEADROOM: Partial<Record<ResponseFormat, number>> = { opus: 1.35, aac: 1.2 };

/**
 * Milliseconds of audio in the bytes the client was handed. Exact for PCM, WAV and G.711; for
 * compressed formats an estimate at the encoder's nominal bitrate (the one the request asked for,
 * else the format's default; with headroom for the variable-rate ones), and FLAC's is taken at
 * the uncompressed rate: an estimate errs short, so an early end is never charged more than it got.
 */
export function deliveredAudioMs(bytes: number, format: ResponseFormat, sampleRate: number = OUTPUT_SAMPLE_RATE, bitrate?: number): number {
  const header = format === 'wav' ? WAV_HEADER_BYTES : 0;
  const bytesPerSecond = ((bitrate ?? FORMATS[format].bitrate(sampleRate)) * (VARIABLE_RATE_HEADROOM[format] ?? 1)) / 8;
  return Math.floor((Math.max(0, bytes - header) * 1000) / bytesPerSecond);
}

/** What a stream is charged, in credits, given what it delivered. */
export function chargeFor(
  characters: number,
  outcome: Pick<StreamOutcome, 'completed'>,
  audio: { ms: number; speed: number; language: string },
): number {
  if (outcome.completed) return characters;
  // At speed s the same text takes 1/s as long to say: scale the audio back to speed 1.
  return Math.min(characters, Math.ceil((audio.ms * audio.speed) / audioMsPerCharacter(audio.language)));
}

/**
 * What a stream served from the audio cache is charged: its characters at the hit price
 * (AUDIO_CACHE_HIT_PRICE, a share from 0 to 1), rounded up; one cut short, the lesser of that and
 * what its delivered audio is worth (chargeFor). At price 1 it is chargeFor exactly.
 */
export function cacheHitChargeFor(
  characters: number,
  outcome: Pick<StreamOutcome, 'completed'>,
  audio: { ms: number; speed: number; language: string },
  hitPrice: number,
): number {
  // Rounded to a millionth first, so that a product a float puts a hair above a whole number
  // (100 × 0.07 = 7.000000000000001) is not charged a credit more.
  const full = Math.ceil(Math.round(characters * hitPrice * 1e6) / 1e6);
  return Math.min(full, chargeFor(characters, outcome, audio));
}
