import { OUTPUT_SAMPLE_RATE } from '../../shared/audio/formats.ts';
import { WAV_HEADER_BYTES } from '../../shared/audio/wav.ts';
import type { SupportedResponseFormat } from '../../shared/schemas/speech.ts';
import type { StreamOutcome } from '../http/metered-stream.ts';

/**
 * The settlement rule (docs/billing.md): 1 credit = 1 input character (Unicode code point).
 * A stream that completes is charged its characters. A stream that ends early (the client went
 * away, or the worker failed mid-stream) is charged for the audio it delivered, at the published
 * rate of one character per AUDIO_MS_PER_CHARACTER of audio at speed 1, and never more than its
 * characters. The rate is a fixed, documented price, not a guess about the text: speech runs at
 * about 14 characters a second, so a client that stops halfway pays about half, and a client
 * that got no audio pays nothing.
 */
export const AUDIO_MS_PER_CHARACTER = 70;

/** Milliseconds of 16-bit mono audio in the bytes the client was handed. */
export function deliveredAudioMs(bytes: number, format: SupportedResponseFormat, sampleRate: number = OUTPUT_SAMPLE_RATE): number {
  const header = format === 'wav' ? WAV_HEADER_BYTES : 0;
  const samples = Math.floor(Math.max(0, bytes - header) / 2);
  return Math.floor((samples * 1000) / sampleRate);
}

/** What a stream is charged, in credits, given what it delivered. */
export function chargeFor(characters: number, outcome: Pick<StreamOutcome, 'completed'>, audioMs: number, speed: number): number {
  if (outcome.completed) return characters;
  // At speed s the same text takes 1/s as long to say: scale the audio back to speed 1.
  return Math.min(characters, Math.ceil((audioMs * speed) / AUDIO_MS_PER_CHARACTER));
}
