/**
 * Voice design on espeak: the words of a description mapped onto espeak's settings. English
 * descriptions only (other languages get the default voice); each cue counts once, negation
 * ("not deep") is not understood. The description itself is kept in the profile.
 */
import { EngineRequestError } from '../types.ts';
import { clamp, DEFAULT_PITCH, DEFAULT_RANGE, type EspeakVoiceParams, MAX_RATE_FACTOR, MIN_RATE_FACTOR, type ProfileVariant } from './voice-params.ts';

export type Gender = 'male' | 'female';

const MALE = /\b(man|men|male|masculine|boys?|guy|gentleman|father|dad|grandfather|grandpa|husband|son|brother|king|he|him|his)\b/;
const FEMALE = /\b(woman|women|female|feminine|girls?|lady|ladies|mother|mom|grandmother|grandma|wife|daughter|sister|queen|she|her)\b/;
const CHILD = /\b(child|children|kids?|boys?|girls?|little|toddler)\b/;
const OLD = /\b(old|older|elderly|aged|senior|grandfather|grandmother|grandpa|grandma|ancient)\b/;
const WHISPER = /\bwhisper/;

/** Cues that move pitch (setting units), range (units) or rate (a factor). */
const CUES: Array<{ words: RegExp; pitch?: number; range?: number; rate?: number }> = [
  { words: /\b(low|lower|deep|deeper|bass|baritone|gravelly|booming)\b/, pitch: -20 },
  { words: /\b(high|higher|bright|squeaky|shrill|soprano|piping)\b/, pitch: 20 },
  { words: CHILD, pitch: 25 },
  { words: /\b(young|youthful|teen|teenage|teenager)\b/, pitch: 8 },
  { words: OLD, pitch: -5, rate: 0.9 },
  { words: /\b(fast|faster|quick|quickly|rapid|rapidly|hurried|brisk|energetic|excited)\b/, rate: 1.35 },
  { words: /\b(slow|slower|slowly|relaxed|measured|deliberate|leisurely|sleepy|drawling)\b/, rate: 0.75 },
  { words: /\b(calm|soothing|gentle|soft)\b/, rate: 0.9, range: -10 },
  { words: /\b(monotone|monotonous|flat|robotic|dull|bored|deadpan)\b/, range: -40 },
  { words: /\b(expressive|lively|animated|cheerful|excited|dramatic|enthusiastic|bubbly|emotional)\b/, range: 30 },
];

/** The gender a description names first, if any. */
export function describedGender(description: string): Gender | undefined {
  const text = description.toLowerCase();
  const male = text.search(MALE);
  const female = text.search(FEMALE);
  if (male < 0 && female < 0) return undefined;
  if (female < 0 || (male >= 0 && male < female)) return 'male';
  return 'female';
}

export function designParams(description: string): EspeakVoiceParams {
  const text = description.toLowerCase().trim();
  if (!text) throw new EngineRequestError('empty_description', 'Describe the voice to design: the description is empty.', 'description');
  let pitch = DEFAULT_PITCH;
  let range = DEFAULT_RANGE;
  let rate = 1;
  for (const cue of CUES) {
    if (!cue.words.test(text)) continue;
    pitch += cue.pitch ?? 0;
    range += cue.range ?? 0;
    rate *= cue.rate ?? 1;
  }
  // Without a gender word, a low voice is a man's and any other a woman's (like the default voice).
  const gender = describedGender(text) ?? (pitch < DEFAULT_PITCH ? 'male' : 'female');
  return {
    variant: variantFor(text, gender),
    pitch: clamp(pitch, 0, 99),
    range: clamp(range, 0, 99),
    rate: Math.round(clamp(rate, MIN_RATE_FACTOR, MAX_RATE_FACTOR) * 100) / 100,
  };
}

/** espeak's whisper, elderly (tremor) and child-like (high formants) variants, else its standard pair. */
function variantFor(text: string, gender: Gender): ProfileVariant {
  const male = gender === 'male';
  if (WHISPER.test(text)) return male ? 'whisper' : 'whisperf';
  if (OLD.test(text)) return male ? 'grandpa' : 'grandma';
  if (CHILD.test(text)) return 'f5';
  return male ? 'm3' : 'f3';
}
