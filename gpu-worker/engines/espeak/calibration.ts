/**
 * How espeak's pitch and range settings sound, measured on its own output, so a clip's measured
 * pitch can be turned into settings that aim at it.
 *
 * espeak places intonation above a base pitch: with range 0 it speaks a monotone at the base,
 * and each unit of range lifts both the median and the interquartile spread by about the same
 * number of Hz, whatever the pitch setting. So: median ≈ base(pitch) + k × range, IQR ≈ k × range.
 *
 * Measured with gpu-worker/audio/pitch.ts (pitchContour → pitchStats) on en-us speech at
 * 175 wpm: BASE_HZ is the median at range 0 for pitch 0, 10, ..., 90, 99 (the same to 0.5 Hz for
 * "The quick brown fox jumps over the lazy dog." and "Hello, how are you today?"); k is the
 * median lift from range 0 to 25, 50, 75, 99, averaged over three sentences and pitches 10, 50, 90
 * (the IQR per unit of range came out close: 0.23 to 0.27 Hz for m3, 0.51 to 0.65 Hz for f3).
 * voices.test.ts re-measures a few points.
 */
import { clamp } from './voice-params.ts';

export type CalibratedVariant = 'm3' | 'f3';

const PITCH_STEPS = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99];

export const BASE_HZ: Record<CalibratedVariant, number[]> = {
  m3: [55.5, 61.0, 66.9, 73.9, 81.5, 90.9, 101.5, 113.8, 127.6, 143.8, 159.9],
  f3: [112.9, 123.1, 133.5, 146.9, 161.0, 178.7, 198.2, 220.9, 245.9, 275.2, 305.9],
};

/** Hz of median lift (and of interquartile spread) per unit of espeak's range. */
export const HZ_PER_RANGE: Record<CalibratedVariant, number> = { m3: 0.25, f3: 0.55 };

/** The pitch setting (0 to 99) whose monotone base is closest to `hz`, interpolating in log Hz. */
export function pitchForBaseHz(variant: CalibratedVariant, hz: number): number {
  const table = BASE_HZ[variant];
  if (hz <= table[0]!) return 0;
  for (let i = 1; i < table.length; i++) {
    if (hz <= table[i]!) {
      const t = Math.log(hz / table[i - 1]!) / Math.log(table[i]! / table[i - 1]!);
      return Math.round(PITCH_STEPS[i - 1]! + t * (PITCH_STEPS[i]! - PITCH_STEPS[i - 1]!));
    }
  }
  return 99;
}

/**
 * Settings that aim at a median pitch and an interquartile spread (both in Hz): the range from
 * the spread, then the pitch whose base plus that range's lift lands on the median. The median
 * comes first: beyond the span of bases, the range gives way so the median is still reached.
 */
export function settingsForPitch(variant: CalibratedVariant, medianHz: number, iqrHz: number): { pitch: number; range: number } {
  const k = HZ_PER_RANGE[variant];
  const bases = BASE_HZ[variant];
  const forMedian = clamp(iqrHz / k, (medianHz - bases[bases.length - 1]!) / k, (medianHz - bases[0]!) / k);
  const range = Math.round(clamp(forMedian, 0, 99));
  return { pitch: pitchForBaseHz(variant, medianHz - k * range), range };
}
