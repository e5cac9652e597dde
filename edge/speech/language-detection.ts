/**
 * Finds the language of a text sentence by sentence, so a request that mixes languages is spoken
 * part by part, each in its own. The parts are cut from the text as it is: joined, they give the
 * input back character for character (the edge charges by characters; the worker speaks them).
 */
import { detect } from 'tinyld/light';
import { isWrittenIn, lettersOf } from './writing-systems.ts';

export interface LanguageSegment {
  text: string;
  language: string;
}

export interface DetectedLanguages {
  /** At least one; consecutive sentences of one language are merged. */
  segments: LanguageSegment[];
  /** The distinct languages of `segments`, in order of first appearance. */
  detected: string[];
}

export interface DetectionOptions {
  /** The only languages that may be chosen: the model's. */
  candidates: readonly string[];
  /** The language of a text in which nothing could be detected. */
  fallback: string;
}

/**
 * Below this many letters, n-grams cannot tell apart languages that share a script ("Call me
 * later." reads as Spanish), so a short sentence in its neighbours' script takes their language.
 */
const MIN_TRUSTED_LETTERS = 20;

// UAX #29 sentence rules are the same for every language; they already end sentences at 。！？ and ؟.
const sentences = new Intl.Segmenter('und', { granularity: 'sentence' });

export function detectLanguages(text: string, options: DetectionOptions): DetectedLanguages {
  const { candidates, fallback } = options;
  const only = [...candidates];
  // tinyld answers '' when unsure, and with an empty `only` any language: keep candidates alone.
  const guess = (part: string) => {
    const language = detect(part, { only });
    return candidates.includes(language) ? language : undefined;
  };
  const parts = [...sentences.segment(text)].map(({ segment }) => segment);
  const letters = parts.map(lettersOf);
  const own = parts.map((part, i) => (letters[i]!.length > 0 ? guess(part) : undefined));
  const trusted = own.map((language, i) => (letters[i]!.length >= MIN_TRUSTED_LETTERS ? language : undefined));
  const context = nearestKnown(trusted);
  let whole: { language: string | undefined } | undefined;
  const wholeText = () => (whole ??= { language: guess(text) }).language;

  // A short sentence keeps its own answer only where its script sets it apart from its context.
  const judged = own.map((language, i) => {
    if (language === undefined || trusted[i] !== undefined) return language;
    const around = context[i] ?? wholeText();
    return around !== undefined && isWrittenIn(letters[i]!, around) ? around : language;
  });
  // Sentences without an answer ("OK.", "2024.") go with their neighbours.
  const languages = nearestKnown(judged).map((language) => language ?? wholeText() ?? fallback);
  return merge(parts, languages, fallback);
}

/** Each value, or where it is missing the nearest one before it, else the nearest after it. */
function nearestKnown(values: readonly (string | undefined)[]): (string | undefined)[] {
  const filled = [...values];
  for (let i = 1; i < filled.length; i++) filled[i] ??= filled[i - 1];
  for (let i = filled.length - 2; i >= 0; i--) filled[i] ??= filled[i + 1];
  return filled;
}

function merge(parts: readonly string[], languages: readonly string[], fallback: string): DetectedLanguages {
  const segments: LanguageSegment[] = [];
  parts.forEach((text, i) => {
    const language = languages[i]!;
    const last = segments.at(-1);
    if (last?.language === language) last.text += text;
    else segments.push({ text, language });
  });
  if (segments.length === 0) segments.push({ text: '', language: fallback });
  return { segments, detected: [...new Set(segments.map((s) => s.language))] };
}
