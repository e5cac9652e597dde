/** Messages between the espeak engine (main thread) and its synthesis threads. */
export interface SynthesizeJob {
  type: 'synthesize';
  jobId: number;
  text: string;
  /** espeak voice name with variant, e.g. `en-us+f3`. */
  voice: string;
  /** Words per minute (espeak's 80 to 450). */
  rate: number;
  /** espeak's base pitch and intonation range, 0 to 99 (50 is the voice's own). */
  pitch: number;
  range: number;
}

/** espeak's word event: where the word is in the job's text and when its sound starts. */
export interface EspeakWordEvent {
  /** Code points into the job's text (espeak counts characters from 1; this from 0). */
  textPosition: number;
  length: number;
  /** From the start of the job's audio: espeak gives whole ms. */
  audioMs: number;
}

export type ThreadMessage =
  | { type: 'ready'; sampleRate: number }
  | { type: 'chunk'; jobId: number; samples: Int16Array; words?: EspeakWordEvent[] }
  | { type: 'done'; jobId: number; cancelled: boolean }
  | { type: 'error'; jobId: number; message: string };

/**
 * Index of the shared cancellation slot: the main thread stores the id of a job to cancel, the
 * synthesis callback reads it on every audio block and tells espeak to stop.
 */
export const CANCEL_SLOT = 0;
