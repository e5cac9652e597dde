import type { TimedAudioEnd } from '../../shared/protocol/timed-audio.ts';
import type { EngineErrorCode } from '../../shared/protocol/worker-errors.ts';
import type { ModelInfo } from '../../shared/schemas/catalog.ts';
import type { VoiceProfile } from '../../shared/schemas/voice-profile.ts';
import type { PlaybackClock } from './playback-clock.ts';

export type { VoiceProfile };

/**
 * The contract every model behind a gpu-worker implements. One Engine is one loaded model
 * (the espeak engine, a Qwen3-TTS 0.6B pack, a 1.7B pack...); the worker routes a request to
 * the engine whose `info.id` the request names.
 */
export interface Engine {
  /** What the model offers: id, languages, native sample rate, capabilities, preset voices. */
  readonly info: ModelInfo;

  /** How the engine's word timings are made: read from the engine, or inferred. */
  readonly wordAlignment: TimedAudioEnd['alignment'];

  /**
   * Streams mono Float32 PCM in [-1, 1] at `info.sample_rate`, chunk by chunk as it is made, with
   * the words whose start is in (or before) a chunk when `request.words` asks for them.
   * Must stop producing (and return) promptly once `signal` aborts: within one generation step
   * for a neural engine, within one synthesis callback for espeak.
   */
  synthesize(request: SynthesisRequest, signal: AbortSignal): AsyncIterable<EngineChunk>;

  /** Computes a voice profile once (on the GPU where there is one) so later requests reuse it. */
  createVoice?(source: VoiceSource, signal: AbortSignal): Promise<VoiceProfile>;

  /** Releases threads, sessions and memory. */
  close(): Promise<void>;
}

export interface SynthesisRequest {
  requestId: string;
  text: string;
  voice: VoiceSelection;
  /** A language the engine declared in `info.languages`. */
  language: string;
  /** 0.25 to 4; 1 is the engine's natural rate. */
  speed: number;
  seed?: number;
  /** Style instruction (CustomVoice 1.7B) or voice description (VoiceDesign). */
  instructions?: string;
  /** Report word timings (an engine may hold audio back by up to a word to know a word's end). */
  words?: boolean;
  /**
   * Stretches of `text` to say from these phonemes rather than as written, in text order, apart;
   * only for an engine whose capabilities include `phonemes`. Words said in a stretch are reported
   * as one word spanning it.
   */
  pronunciations?: Pronunciation[];
  /** Say the text with stress (SSML `<emphasis>`); only for an engine whose capabilities include `emphasis`. */
  emphasis?: boolean;
  /**
   * The stream's lead over real time: an engine that queues work across streams serves the
   * earliest deadline first. Absent, the request's work queues in arrival order.
   */
  playback?: PlaybackClock;
}

/** [charStart, charEnd) of `SynthesisRequest.text` (code points), said as the IPA `ipa`. */
export interface Pronunciation {
  charStart: number;
  charEnd: number;
  ipa: string;
}

/** Audio as it is made, and the words first heard in it (or before it: never after). */
export interface EngineChunk {
  audio: Float32Array;
  /** In text order; only when the request asked for `words`. */
  words?: EngineWord[];
}

/**
 * A word of `SynthesisRequest.text` and when it is said, in the engine's own output samples
 * (at `info.sample_rate`, from the start of this `synthesize` call's audio): the worker maps them
 * through resampling to output time. Speed is the engine's to apply, so it is already in them.
 */
export interface EngineWord {
  /** [charStart, charEnd) in the request's text, in Unicode code points. */
  charStart: number;
  charEnd: number;
  /** [startSample, endSample): the end is where the word's sound stops, not the next word's start. */
  startSample: number;
  endSample: number;
}

/**
 * A preset of the model, or a profile the edge sent with the request. `key` names the profile's
 * id and version: an engine may cache what it decodes from the profile under it.
 */
export type VoiceSelection =
  | { kind: 'preset'; id: string }
  | { kind: 'profile'; key: string; profile: VoiceProfile };

/** What a voice is made from: reference audio (cloning) or a description (design). */
export type VoiceSource =
  | {
      kind: 'audio';
      /** Mono, checked to hold 3 to 30 s with speech (see gpu-worker/audio/clip). */
      samples: Float32Array;
      sampleRate: number;
      /** What the clip says, when the user gave it: enables in-context cloning where the model has it. */
      transcript?: string;
      language?: string;
      /** Designed voices are cloned from their preview: the description they came from. */
      description?: string;
    }
  | { kind: 'description'; text: string; language?: string };

/** Raised by an engine for a request it cannot serve; the worker answers it as a 4xx. */
export class EngineRequestError extends Error {
  /** One of shared/protocol/worker-errors.ts, which says its status (the edge documents and forwards it). */
  readonly code: EngineErrorCode;
  readonly param: string | undefined;
  constructor(code: EngineErrorCode, message: string, param?: string) {
    super(message);
    this.name = 'EngineRequestError';
    this.code = code;
    this.param = param;
  }
}
