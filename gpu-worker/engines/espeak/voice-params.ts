/**
 * The espeak voice profile data (VoiceProfile.data, format `espeak-params`): the espeak settings
 * a cloned or designed voice stands for, and their check when a profile comes back with a request.
 * espeak cannot copy a timbre, so a voice is a variant (formant set) with a pitch, range and rate.
 */
import { z } from 'zod';
import { EngineRequestError, type VoiceProfile } from '../types.ts';

export const ESPEAK_ENGINE = 'espeak';
export const ESPEAK_PARAMS_FORMAT = 'espeak-params';

/** The variants a profile may name: they become part of espeak's voice name, so only known ones pass. */
export const PROFILE_VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5', 'grandpa', 'grandma', 'whisper', 'whisperf'] as const;
export type ProfileVariant = (typeof PROFILE_VARIANTS)[number];

/** espeak's own pitch and range: what presets speak with. */
export const DEFAULT_PITCH = 50;
export const DEFAULT_RANGE = 50;
/** A profile's rate multiplies the request's speed; this keeps voices within espeak's usable span. */
export const MIN_RATE_FACTOR = 0.5;
export const MAX_RATE_FACTOR = 2;

const EspeakParamsSchema = z.object({
  format: z.literal(ESPEAK_PARAMS_FORMAT),
  variant: z.enum(PROFILE_VARIANTS),
  /** espeak's pitch, 0 to 99: the voice's base pitch (50 is the variant's own). */
  pitch: z.number().int().min(0).max(99),
  /** espeak's range, 0 to 99: how far intonation rises above the base (0 is a monotone). */
  range: z.number().int().min(0).max(99),
  /** Speaking rate relative to espeak's natural 175 words per minute. */
  rate: z.number().min(MIN_RATE_FACTOR).max(MAX_RATE_FACTOR),
  /** The language of the clip or description the voice was made from (informative). */
  language: z.string().optional(),
});

export type EspeakVoiceParams = Pick<z.infer<typeof EspeakParamsSchema>, 'variant' | 'pitch' | 'range' | 'rate'>;

/** A profile of this engine; `extra` is what the voice was made from (measurements, description). */
export function espeakProfile(kind: VoiceProfile['kind'], model: string, params: EspeakVoiceParams, extra: Record<string, unknown>): VoiceProfile {
  return { engine: ESPEAK_ENGINE, model, kind, data: { format: ESPEAK_PARAMS_FORMAT, ...params, ...extra } };
}

/** The settings of a profile sent with a request, or `voice_incompatible` saying what is wrong. */
export function readEspeakProfile(profile: VoiceProfile, model: string): EspeakVoiceParams {
  const incompatible = (why: string) => new EngineRequestError('voice_incompatible', `This voice cannot be used with model "${model}": ${why}`, 'voice');
  if (profile.engine !== ESPEAK_ENGINE) throw incompatible(`it was made by the ${profile.engine} engine.`);
  if (profile.data.format !== ESPEAK_PARAMS_FORMAT) throw incompatible(`its data format is ${JSON.stringify(profile.data.format)}, not "${ESPEAK_PARAMS_FORMAT}".`);
  const parsed = EspeakParamsSchema.safeParse(profile.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw incompatible(`${issue.path.join('.') || 'data'}: ${issue.message}.`);
  }
  const { variant, pitch, range, rate } = parsed.data;
  return { variant, pitch, range, rate };
}

/** Keeps a number within a span (for mapped settings, before they go into a profile). */
export const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
