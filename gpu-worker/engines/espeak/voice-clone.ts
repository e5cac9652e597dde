/**
 * Voice cloning on espeak: a reference clip measured (median pitch, pitch spread, speaking rate)
 * and mapped onto espeak's settings through the calibration. The timbre is not copied: a male or
 * female variant stands in for it, chosen by the description's gender word (a designed voice
 * cloned from its preview) or else by pitch.
 */
import { pitchContour, pitchStats } from '../../audio/pitch.ts';
import { EngineRequestError, type VoiceSource } from '../types.ts';
import { settingsForPitch } from './calibration.ts';
import { describedGender } from './voice-design.ts';
import { clamp, type EspeakVoiceParams, MAX_RATE_FACTOR, MIN_RATE_FACTOR } from './voice-params.ts';

/** Voices below this median pitch get espeak's male variant; above, its female one. */
export const MALE_BELOW_HZ = 165;

/** Speech by espeak in the given settings at its natural rate, to compare against the clip. */
export type Speaker = (text: string, params: EspeakVoiceParams) => Promise<{ samples: Float32Array; sampleRate: number }>;

export interface CloneResult {
  params: EspeakVoiceParams;
  /** What was measured on the clip (kept in the profile, so a voice can be explained). */
  measured: Record<string, number>;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The speaking rate needs to know what the clip says: with a transcript, espeak says the same
 * words and the rate is the ratio of speaking times (pauses left out on both sides); without one
 * it stays espeak's natural rate.
 */
export async function cloneParams(source: Extract<VoiceSource, { kind: 'audio' }>, speak: Speaker): Promise<CloneResult> {
  const stats = pitchStats(pitchContour(source.samples, source.sampleRate));
  if (!stats) throw new EngineRequestError('clip_no_speech', 'No voiced speech found in the clip: espeak needs a voice to measure its pitch.', 'file');
  const gender = (source.description && describedGender(source.description)) || (stats.medianHz < MALE_BELOW_HZ ? 'male' : 'female');
  const variant = gender === 'male' ? 'm3' : 'f3';
  const params: EspeakVoiceParams = { variant, ...settingsForPitch(variant, stats.medianHz, stats.highHz - stats.lowHz), rate: 1 };
  const measured: Record<string, number> = {
    median_pitch_hz: round(stats.medianHz, 1),
    pitch_iqr_hz: round(stats.highHz - stats.lowHz, 1),
    pitch_spread_semitones: round(stats.spreadSemitones, 2),
    voiced_seconds: round(stats.voicedSeconds, 2),
    speech_seconds: round(stats.speechSeconds, 2),
  };

  const transcript = source.transcript?.trim();
  if (transcript) {
    const spoken = await speak(transcript, params);
    const espeakSeconds = pitchStats(pitchContour(spoken.samples, spoken.sampleRate))?.speechSeconds;
    if (espeakSeconds) {
      params.rate = round(clamp(espeakSeconds / stats.speechSeconds, MIN_RATE_FACTOR, MAX_RATE_FACTOR), 2);
      measured.espeak_speech_seconds = round(espeakSeconds, 2);
    }
  }
  return { params, measured };
}
