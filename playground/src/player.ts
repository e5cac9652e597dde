import type { ResponseFormat } from '../../shared/schemas/speech.ts';
import type { AudioOutput } from './audio-output.ts';
import { afterDownloadPlayer } from './after-download-player.ts';
import { mediaSourcePlayer } from './media-source-player.ts';
import { g711Decoder, pcm16Decoder, type SampleDecoder, wavDecoder } from './sample-decoders.ts';
import { samplePlayer } from './sample-player.ts';

/** Plays a response's audio as its bytes arrive (or, when it cannot, once they all have). */
export interface StreamPlayer {
  push(chunk: Uint8Array<ArrayBuffer>): void;
  /** The response ended: resolves when the audio has played out, or was stopped. */
  end(): Promise<void>;
  stop(): void;
}

/**
 * How a format plays here: formats of plain samples through Web Audio buffers as chunks arrive;
 * compressed ones through Media Source Extensions when this browser takes that type (Chromium:
 * mp3), otherwise from the whole file once downloaded.
 */
export type PlaybackMode = 'web-audio' | 'media-source' | 'after-download';

const SAMPLE_DECODERS: Partial<Record<ResponseFormat, () => SampleDecoder>> = {
  pcm: pcm16Decoder,
  wav: wavDecoder,
  mulaw: () => g711Decoder('mulaw'),
  alaw: () => g711Decoder('alaw'),
};

export function playbackMode(format: ResponseFormat, contentType: string): PlaybackMode {
  if (SAMPLE_DECODERS[format]) return 'web-audio';
  if (typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(contentType)) return 'media-source';
  return 'after-download';
}

export function createPlayer(
  format: ResponseFormat,
  audio: { contentType: string; sampleRate: number },
  output: AudioOutput,
  onFirstAudio: () => void,
): StreamPlayer {
  const decoder = SAMPLE_DECODERS[format];
  if (decoder) return samplePlayer(output, decoder(), audio.sampleRate, onFirstAudio);
  if (playbackMode(format, audio.contentType) === 'media-source') return mediaSourcePlayer(output.element, audio.contentType, onFirstAudio);
  return afterDownloadPlayer(output.element, audio.contentType, onFirstAudio);
}
