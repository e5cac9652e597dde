import type { SourceRun, SpeechSegment, TextSegment } from '../../shared/protocol/worker-api.ts';
import type { ModelCapabilities } from '../../shared/schemas/catalog.ts';
import type { NotHonored } from './not-honored.ts';
import type { ScriptText, SpeechScript } from './script.ts';

/**
 * A speech script as the worker protocol carries it: text segments in one language each (the
 * script's own, the request's, or detected sentence by sentence), pauses, and only the markup the
 * model can say. What it cannot is listed (`notHonored`), for the answer to say, never dropped
 * silently.
 */

export interface SpokenSegments {
  /** The language of the first text segment (or the request's, for a script of pauses alone). */
  language: string;
  /** Undefined: the input as written, in `language` (plain text in one language: nothing to say beyond it). */
  segments: SpeechSegment[] | undefined;
  /** The languages detected, in order; undefined when every stretch had its language named. */
  detected: string[] | undefined;
  notHonored: NotHonored[];
}

/** A language detector over text cut where its language changes (edge/speech/language-detection.ts). */
export type DetectLanguages = (text: string) => { segments: { text: string; language: string }[] };

export interface SegmentOptions {
  /** The request's language; absent: each stretch's own, else detected. */
  language: string | undefined;
  /** Checks a language the script names against the model (throws its refusal) and returns it. */
  checkLanguage: (language: string) => string;
  detect: DetectLanguages;
  /** The language of a script with no text to detect it from. */
  fallback: string;
  capabilities: Pick<ModelCapabilities, 'phonemes' | 'emphasis'>;
}

const isPlain = (script: SpeechScript, input: string): boolean => {
  const [only, ...rest] = script.items;
  if (rest.length > 0 || only?.kind !== 'text' || only.language || only.rate !== undefined || only.emphasis) return false;
  const [run, ...more] = only.source;
  return more.length === 0 && run!.input_start === 0 && run!.replaces === undefined && only.text === input;
};

export function speechSegments(script: SpeechScript, input: string, options: SegmentOptions): SpokenSegments {
  if (isPlain(script, input)) return plainSegments(input, options);
  const inputPoints = [...input];
  const notHonored: NotHonored[] = [];
  const said = (start: number, end: number) => inputPoints.slice(start, end).join('');
  const texts = script.items.filter((item): item is ScriptText => item.kind === 'text');
  const undetected = options.language === undefined ? texts.filter((item) => item.language === undefined) : [];
  const detectedLanguages = detectEach(undetected, options.detect);

  const segments: SpeechSegment[] = [];
  for (const item of script.items) {
    if (item.kind === 'pause') {
      if (item.ms > 0) segments.push({ pause_ms: Math.round(item.ms) });
      continue;
    }
    const named = item.language ?? options.language;
    const pieces = named !== undefined ? [{ from: 0, language: options.checkLanguage(named) }] : detectedLanguages.get(item)!;
    const emphasis = item.emphasis === true && options.capabilities.emphasis;
    if (item.emphasis && !options.capabilities.emphasis) {
      const { start, end } = sourceSpan(item.source);
      notHonored.push({ kind: 'emphasis', char_start: start, char_end: end, text: said(start, end) });
    }
    const runs = item.source.map((run) => {
      if (run.ipa === undefined || options.capabilities.phonemes) return run;
      const end = run.input_start + (run.replaces ?? run.length);
      notHonored.push({ kind: 'phoneme', char_start: run.input_start, char_end: end, text: said(run.input_start, end) });
      const { ipa: _said, ...plain } = run;
      return plain;
    });
    const points = [...item.text];
    pieces.forEach((piece, i) => {
      const to = pieces[i + 1]?.from ?? points.length;
      const text = points.slice(piece.from, to).join('');
      if (text.trim().length === 0) return;
      const segment: TextSegment = { text, language: piece.language, source: sliceRuns(runs, piece.from, to) };
      if (item.rate !== undefined && item.rate !== 1) segment.rate = item.rate;
      if (emphasis) segment.emphasis = true;
      segments.push(segment);
    });
  }
  const firstText = segments.find((segment): segment is TextSegment => 'text' in segment);
  const language = firstText?.language ?? (options.language === undefined ? options.fallback : options.checkLanguage(options.language));
  const detected = undetected.length > 0 ? [...new Set([...detectedLanguages.values()].flat().map((piece) => piece.language))] : undefined;
  return { language, segments: segments.length > 0 ? segments : [{ pause_ms: 1 }], detected, notHonored };
}

/** Plain text in one piece: the request's language, or cut by the languages detected (as before scripts). */
function plainSegments(input: string, options: SegmentOptions): SpokenSegments {
  if (options.language !== undefined) return { language: options.checkLanguage(options.language), segments: undefined, detected: undefined, notHonored: [] };
  const { segments } = options.detect(input);
  const detected = [...new Set(segments.map((segment) => segment.language))];
  return { language: segments[0]!.language, segments: segments.length > 1 ? segments : undefined, detected, notHonored: [] };
}

/** Where each stretch of the items changes language, in code points of its text. */
function detectEach(items: ScriptText[], detect: DetectLanguages): Map<ScriptText, { from: number; language: string }[]> {
  const found = new Map<ScriptText, { from: number; language: string }[]>();
  if (items.length === 0) return found;
  // One detection over all of them, so a short stretch takes its neighbours' language.
  const parts: { start: number; end: number; language: string }[] = [];
  for (const part of detect(items.map((item) => item.text).join('\n')).segments) {
    const start = parts.at(-1)?.end ?? 0;
    parts.push({ start, end: start + [...part.text].length, language: part.language });
  }
  let itemStart = 0;
  for (const item of items) {
    const length = [...item.text].length;
    const pieces: { from: number; language: string }[] = [];
    for (const part of parts) {
      if (part.end <= itemStart || part.start >= itemStart + length) continue;
      const last = pieces.at(-1);
      const at = last ? snapToRun(item.source, part.start - itemStart) : 0;
      if (last && at >= length) continue;
      // A part that began inside a replacement before it: the replacement stays with what came before.
      if (last && at <= last.from) last.language = part.language;
      else pieces.push({ from: at, language: part.language });
    }
    const merged = pieces.filter((piece, i) => i === 0 || pieces[i - 1]!.language !== piece.language);
    found.set(item, merged.length > 0 ? merged : [{ from: 0, language: parts.at(-1)!.language }]);
    itemStart += length + 1; // the '\n' between items
  }
  return found;
}

/** A cut inside a replaced run moves to its end: a replacement is said whole, in one language, in one request. */
export function snapToRun(runs: SourceRun[], at: number): number {
  let start = 0;
  for (const run of runs) {
    const end = start + run.length;
    if (at > start && at < end && run.replaces !== undefined) return end;
    if (at < end) return at;
    start = end;
  }
  return at;
}

/** The runs covering [from, to) of a text, cut where they cross its ends (a verbatim run cut keeps its offsets true). */
export function sliceRuns(runs: SourceRun[], from: number, to: number): SourceRun[] {
  const sliced: SourceRun[] = [];
  let start = 0;
  for (const run of runs) {
    const end = start + run.length;
    const a = Math.max(from, start);
    const b = Math.min(to, end);
    if (a < b) {
      if (run.replaces !== undefined) sliced.push(run); // never cut (snapToRun), so whole
      else sliced.push({ length: b - a, input_start: run.input_start + (a - start) });
    }
    start = end;
  }
  return sliced;
}

function sourceSpan(runs: SourceRun[]): { start: number; end: number } {
  const start = Math.min(...runs.map((run) => run.input_start));
  const end = Math.max(...runs.map((run) => run.input_start + (run.replaces ?? run.length)));
  return { start, end };
}
