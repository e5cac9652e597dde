import type { ClipFormat } from './format.ts';

/** One clip to decode, sent to a fresh decode process once it says it is ready. */
export interface DecodeJob {
  /** The whole upload. */
  bytes: Uint8Array;
  format: ClipFormat;
  /** Stop decoding, and answer `too_long`, once more than this much has come out. */
  stopAfterSeconds: number;
  /** The rate of `samples` in the answer. */
  outputRate: number;
  /** The rate of `analysisSamples`: what the voice activity detector reads. */
  analysisRate: number;
}

/** The process's answer to the job; it exits after sending it. */
export type DecodeReply =
  | {
      type: 'decoded';
      /** Mono (channels averaged) at `outputRate`. */
      samples: Float32Array;
      /** The same, at `analysisRate`. */
      analysisSamples: Float32Array;
      sourceSampleRate: number;
      sourceChannels: number;
      /** Samples per channel as decoded, before resampling: the clip's exact length. */
      sourceFrames: number;
    }
  | { type: 'too_long' }
  /** `reason` completes "could not be decoded: …". */
  | { type: 'failed'; reason: string };

/** Everything the process sends: first that it has loaded and listens, then its reply. */
export type DecodeMessage = { type: 'ready' } | DecodeReply;
