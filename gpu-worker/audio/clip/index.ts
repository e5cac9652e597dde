/**
 * Reference clips for voice cloning: an upload in whatever a phone or browser recorded, checked
 * and turned into mono 24 kHz samples, or a ClipError that tells the user what to fix.
 */
import { checkContainer } from './container.ts';
import { decodeInProcess } from './decode.ts';
import { fileTooLarge, noSpeech, silent, tooLittleSpeech, tooLong, tooShort } from './errors.ts';
import { detectFormat } from './format.ts';
import { levels, steadyShare } from './level.ts';
import { CLIP_LIMITS, CLIP_SAMPLE_RATE, DECODE_MEMORY_BYTES, DECODE_TIMEOUT_MS, MAX_CLIP_BYTES, SILENCE_DBFS, SPEECH_FOUND_SECONDS, STEADY_SHARE } from './limits.ts';
import { speechSeconds, VAD_SAMPLE_RATE } from './speech.ts';

export { CLIP_LIMITS, CLIP_SAMPLE_RATE } from './limits.ts';
export { ClipError } from './errors.ts';

export interface ReferenceClip {
  /** Mono (channels averaged), at CLIP_SAMPLE_RATE. */
  samples: Float32Array;
  /** CLIP_SAMPLE_RATE. */
  sampleRate: number;
  /** The detected container/codec: 'wav' | 'mp3' | 'flac' | 'opus' | 'oga' | 'm4a' | 'aac' | 'webm'. */
  format: string;
  sourceSampleRate: number;
  sourceChannels: number;
  /** The whole clip. */
  durationSeconds: number;
  /** What the voice activity detector found to be speech. */
  speechSeconds: number;
}

export interface ReadClipOptions {
  /**
   * `upload` (default): every check. `stored`: a clip the edge kept (checked when the voice was
   * made, or a designed voice's preview, which is the model's own speech): decoded, not judged.
   */
  source?: 'upload' | 'stored';
  /** For decoding (default 15 s); the decode process is killed when it runs out. */
  timeoutMs?: number;
  /** Stops the work; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A little past the limit, so a clip just over it is measured exactly rather than reported as
 * "over"; streaming formats stop decoding there.
 */
const STOP_AFTER_SECONDS = CLIP_LIMITS.maxSeconds + 1;

/** Decodes and checks an uploaded reference clip; throws ClipError (415/422, or 413 over 10 MB) for one that cannot be used. */
export async function readReferenceClip(bytes: Uint8Array, options: ReadClipOptions = {}): Promise<ReferenceClip> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (bytes.length > MAX_CLIP_BYTES) throw fileTooLarge(bytes.length, MAX_CLIP_BYTES);
  // A copy of our own (the caller keeps its bytes), starting at offset 0 as audio-type expects.
  const upload = bytes.slice();
  const format = detectFormat(upload);
  checkContainer(upload, format, STOP_AFTER_SECONDS);

  const decoded = await decodeInProcess(
    { bytes: upload, format, stopAfterSeconds: STOP_AFTER_SECONDS, outputRate: CLIP_SAMPLE_RATE, analysisRate: VAD_SAMPLE_RATE },
    { timeoutMs: options.timeoutMs ?? DECODE_TIMEOUT_MS, memoryBytes: DECODE_MEMORY_BYTES, signal },
  );
  const durationSeconds = decoded.sourceFrames / decoded.sourceSampleRate;
  const facts = { samples: decoded.samples, sampleRate: CLIP_SAMPLE_RATE, format, sourceSampleRate: decoded.sourceSampleRate, sourceChannels: decoded.sourceChannels, durationSeconds };
  if (options.source === 'stored') return { ...facts, speechSeconds: durationSeconds };
  if (durationSeconds < CLIP_LIMITS.minSeconds) throw tooShort(durationSeconds);
  if (durationSeconds > CLIP_LIMITS.maxSeconds) throw tooLong(durationSeconds);

  // Silence first: it has a clearer cause (a muted microphone) than "no speech"; then what the VAD misses.
  const { peakDbfs, rmsDbfs } = levels(decoded.samples);
  if (rmsDbfs < SILENCE_DBFS) throw silent(peakDbfs, rmsDbfs);
  if (steadyShare(decoded.samples, CLIP_SAMPLE_RATE) >= STEADY_SHARE) throw noSpeech();
  const speech = await speechSeconds(decoded.analysisSamples, signal);
  if (speech < SPEECH_FOUND_SECONDS) throw noSpeech();
  if (speech < CLIP_LIMITS.minSpeechSeconds) throw tooLittleSpeech(speech, durationSeconds, CLIP_LIMITS.minSpeechSeconds);

  return { ...facts, speechSeconds: speech };
}
