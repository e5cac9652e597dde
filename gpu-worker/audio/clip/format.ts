import getType from 'audio-type';
import { unrecognisedAudio, unsupportedFormat } from './errors.ts';

/** What phones and browsers record in, by the name audio-type gives it (and @audio/decode takes). */
const ACCEPTED = {
  wav: 'WAV',
  mp3: 'MP3',
  flac: 'FLAC',
  opus: 'Ogg Opus',
  oga: 'Ogg Vorbis',
  webm: 'WebM',
  m4a: 'M4A',
  aac: 'AAC',
} as const;
const ACCEPTED_TEXT = 'WAV, MP3, FLAC, Ogg (Opus or Vorbis), WebM or M4A/AAC';

/** Formats audio-type knows that hold notes to play, not a recording. */
const SCORES: Record<string, string> = { mid: 'MIDI', mod: 'MOD tracker', xm: 'XM tracker', s3m: 'S3M tracker', it: 'IT tracker' };

export type ClipFormat = keyof typeof ACCEPTED;

export const formatName = (format: ClipFormat): string => ACCEPTED[format];

/** The clip's format from its first bytes, or the 422/415 that says why it is not one we take. */
export function detectFormat(bytes: Uint8Array): ClipFormat {
  const type = getType(bytes);
  if (type === undefined) throw unrecognisedAudio(ACCEPTED_TEXT);
  if (!Object.hasOwn(ACCEPTED, type)) {
    const score = Object.hasOwn(SCORES, type);
    throw unsupportedFormat(score ? SCORES[type]! : type.toUpperCase(), score, ACCEPTED_TEXT);
  }
  return type as ClipFormat;
}
