import type { SupportedResponseFormat } from '../schemas/speech.ts';
import { WAV_HEADER_BYTES } from './wav.ts';

/**
 * Every stream leaves a worker at 24 kHz mono, whatever the engine's native rate: it is the rate
 * of the Qwen3-TTS codec and what OpenAI's `pcm` format promises, so clients never have to ask.
 */
export const OUTPUT_SAMPLE_RATE = 24_000;

/** Audio content types stream through workerd chunk by chunk (`text/*` may be buffered). */
export const CONTENT_TYPES: Record<SupportedResponseFormat, string> = {
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** How a stream of each format is laid out: header bytes, then s16le mono samples. */
export const STREAM_LAYOUT: Record<SupportedResponseFormat, { headerBytes: number; bytesPerSample: number }> = {
  wav: { headerBytes: WAV_HEADER_BYTES, bytesPerSample: 2 },
  pcm: { headerBytes: 0, bytesPerSample: 2 },
};
