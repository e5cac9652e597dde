import { MAX_PAUSE_MS } from '../../../shared/protocol/worker-api.ts';
import { PHONETIC_ALPHABETS, type PhoneticAlphabet } from '../../../shared/schemas/pronunciation.ts';
import { LanguageCodeSchema } from '../../../shared/schemas/speech.ts';

/** Each attribute value parser answers the value, or a string saying why it is not one. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (problem: string): Parsed<never> => ({ ok: false, problem });

/** `<break strength>` in ms, as the common engines (Polly, Azure) take them. */
export const BREAK_STRENGTHS: Record<string, number> = { none: 0, 'x-weak': 100, weak: 250, medium: 400, strong: 700, 'x-strong': 1200 };

/** `<break>`'s pause: `time` wins over `strength`; neither is a medium break. */
export function breakMs(time: string | undefined, strength: string | undefined): Parsed<number> {
  if (time !== undefined) {
    const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)\s*$/.exec(time);
    if (match === null) return fail(`Invalid time "${time}" on <break> (expected such as "500ms" or "1.5s")`);
    const ms = Math.round(Number(match[1]) * (match[2] === 's' ? 1000 : 1));
    if (ms > MAX_PAUSE_MS) return fail(`<break> time "${time}" is longer than ${MAX_PAUSE_MS / 1000}s`);
    return ok(ms);
  }
  if (strength === undefined) return ok(BREAK_STRENGTHS.medium!);
  if (!Object.hasOwn(BREAK_STRENGTHS, strength)) return fail(`Invalid strength "${strength}" on <break> (expected one of ${Object.keys(BREAK_STRENGTHS).join(', ')})`);
  return ok(BREAK_STRENGTHS[strength]!);
}

const RATE_WORDS: Record<string, number> = { 'x-slow': 0.5, slow: 0.75, medium: 1, fast: 1.25, 'x-fast': 1.5 };
/** One `<prosody rate>` is held to the range a request's `speed` has. */
const MIN_RATE = 0.25;
const MAX_RATE = 4;

/** `<prosody rate>` as a multiplier: a word, a percentage of normal ("80%"), a relative change ("+20%"), or a number ("1.2"). */
export function rateMultiplier(rate: string): Parsed<number> {
  const value = rate.trim();
  let multiplier: number | undefined = RATE_WORDS[value];
  if (multiplier === undefined) {
    const match = /^([+-])?(\d+(?:\.\d+)?|\.\d+)(%)?$/.exec(value);
    if (match !== null) {
      const [, sign, number, percent] = match;
      if (percent === undefined) multiplier = sign === '-' ? undefined : Number(number);
      else if (sign === undefined) multiplier = Number(number) / 100;
      else multiplier = 1 + (sign === '-' ? -1 : 1) * (Number(number) / 100);
    }
  }
  if (multiplier === undefined) return fail(`Invalid rate "${rate}" on <prosody> (expected x-slow, slow, medium, fast, x-fast, a percentage such as "80%" or "+20%", or a number such as "1.2")`);
  if (!(multiplier >= MIN_RATE && multiplier <= MAX_RATE)) return fail(`<prosody> rate "${rate}" is outside ${MIN_RATE * 100}% to ${MAX_RATE * 100}%`);
  return ok(multiplier);
}

const EMPHASIS_LEVELS: Record<string, boolean> = { strong: true, moderate: true, none: false, reduced: false };

/** `<emphasis level>`: stressed or not; no level is moderate. */
export function emphasisLevel(level: string | undefined): Parsed<boolean> {
  if (level === undefined) return ok(true);
  if (!Object.hasOwn(EMPHASIS_LEVELS, level)) return fail(`Invalid level "${level}" on <emphasis> (expected strong, moderate, none or reduced)`);
  return ok(EMPHASIS_LEVELS[level]!);
}

/** The same form as a request's `language`, lowercased as it is; whether a model speaks it is checked later. */
export function languageTag(tag: string, element: string): Parsed<string> {
  const parsed = LanguageCodeSchema.safeParse(tag);
  return parsed.success ? ok(parsed.data) : fail(`Invalid xml:lang "${tag}" on <${element}> (expected a language code such as "en" or "pt-BR")`);
}

export function phoneticAlphabet(alphabet: string | undefined): Parsed<PhoneticAlphabet> {
  if (alphabet === undefined) return ok('ipa');
  if (!(PHONETIC_ALPHABETS as readonly string[]).includes(alphabet)) return fail(`Invalid alphabet "${alphabet}" on <phoneme> (expected ${PHONETIC_ALPHABETS.join(' or ')})`);
  return ok(alphabet as PhoneticAlphabet);
}
