import type { CLIP_ERROR_CODES, ClipErrorStatus } from '../../../shared/protocol/worker-errors.ts';
import { CLIP_LIMITS } from './limits.ts';

/** A status and a code it goes with, as shared/protocol/worker-errors.ts lists them (the edge documents and forwards them). */
type ClipErrorArgs = { [S in ClipErrorStatus]: [status: S, code: (typeof CLIP_ERROR_CODES)[S][number], message: string] }[ClipErrorStatus];

/**
 * Why a clip cannot be used, worded for the person who uploaded it: what is wrong, then what to
 * do. `code` is stable for clients to branch on; the worker answers it with `status`.
 */
export class ClipError extends Error {
  readonly status: ClipErrorStatus;
  readonly code: string;

  constructor(...[status, code, message]: ClipErrorArgs) {
    super(message);
    this.name = 'ClipError';
    this.status = status;
    this.code = code;
  }
}

/**
 * A length for a sentence: tenths of a second (hundredths under one, minutes past two), rounded
 * `down` or `up` where plain rounding could contradict the limit beside it ("3.0 s; at least 3 s").
 */
function seconds(value: number, direction: 'down' | 'up' | 'nearest' = 'nearest'): string {
  const [unit, scaled] = value >= 120 ? ['min', value / 60] : ['s', value];
  const places = scaled < 1 ? 2 : 1;
  const step = 10 ** places;
  const round = { down: (x: number) => Math.floor(x + 1e-6), up: (x: number) => Math.ceil(x - 1e-6), nearest: Math.round }[direction];
  return `${(round(scaled * step) / step).toFixed(places)} ${unit}`;
}
const { minSeconds, maxSeconds } = CLIP_LIMITS;
const LENGTH_RULE = `a voice clip must be ${minSeconds} to ${maxSeconds} seconds long`;
const REEXPORT = 'export the recording again, or upload it as WAV or MP3';

export const fileTooLarge = (bytes: number, limit: number) =>
  new ClipError(413, 'file_too_large', `The file is ${(bytes / 2 ** 20).toFixed(1)} MB, over the ${limit / 2 ** 20} MB limit; a voice clip needs only ${minSeconds} to ${maxSeconds} seconds of speech.`);

export const unrecognisedAudio = (accepted: string) =>
  new ClipError(422, 'undecodable_audio', `The file is not audio in any format we recognise. Upload a recording in ${accepted}.`);

/** `score`: the format holds notes to play (MIDI, tracker modules), not a recording. */
export const unsupportedFormat = (name: string, score: boolean, accepted: string) =>
  new ClipError(
    415,
    'unsupported_audio_format',
    `${name} files ${score ? 'hold notes to play, not a recording of a voice' : 'are not accepted'}. Upload a recording in ${accepted}.`,
  );

/** A file in an accepted format that does not decode: `why` completes "could not be decoded: …". */
export const undecodable = (name: string, why: string) =>
  new ClipError(422, 'undecodable_audio', `The ${name} file could not be decoded: ${why}. It may be damaged or incomplete; ${REEXPORT}.`);

export const truncatedWav = (declaredSeconds: number, presentSeconds: number) =>
  new ClipError(
    422,
    'truncated_audio',
    `The WAV file is cut short: its header announces ${seconds(declaredSeconds)} of audio but the file holds only ${seconds(presentSeconds)}. Upload the complete recording.`,
  );

export const tooShort = (duration: number) =>
  new ClipError(422, 'clip_too_short', `The clip is ${seconds(duration, 'down')} long; ${LENGTH_RULE}. Record a longer clip.`);

/** `duration` undefined: decoding stopped early, once it had passed the limit. */
export const tooLong = (duration: number | undefined) =>
  new ClipError(
    422,
    'clip_too_long',
    `The clip is ${duration === undefined ? `over ${maxSeconds} s` : seconds(duration, 'up')} long; ${LENGTH_RULE}. Trim it to ${maxSeconds} seconds or less.`,
  );

export const silent = (peakDbfs: number, rmsDbfs: number) =>
  new ClipError(
    422,
    'clip_silent',
    peakDbfs === -Infinity
      ? 'The clip is digital silence: every sample is zero. Check that the microphone is connected and not muted, then record again.'
      : `The clip is nearly silent (peak ${peakDbfs.toFixed(0)} dBFS, average ${rmsDbfs.toFixed(0)} dBFS). Check that the microphone is not muted, speak closer to it, and record again.`,
  );

export const noSpeech = () =>
  new ClipError(422, 'clip_no_speech', `No speech detected; it sounds like noise or music. Record yourself speaking, in a quiet place, for ${minSeconds} to ${maxSeconds} seconds.`);

export const tooLittleSpeech = (speech: number, duration: number, needed: number) =>
  new ClipError(
    422,
    'clip_too_little_speech',
    `Only ${seconds(speech, 'down')} of the ${seconds(duration)} clip is speech; a voice clip needs at least ${needed} s of speech. Record yourself speaking for longer, with fewer pauses.`,
  );
