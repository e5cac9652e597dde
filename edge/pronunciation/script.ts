import type { SourceRun } from '../../shared/protocol/worker-api.ts';

/**
 * What a request's input says, as the speech core builds it before the worker's segments: from
 * plain text (`plainTextScript`) or SSML (ssml/), then with pronunciation dictionaries applied
 * (apply-rules.ts). Every stretch keeps where it came from in the input (`source`),
 * so timestamps and billing refer to the text the user sent.
 */

/** A stretch of speech with one language (if the input named it), rate and emphasis. */
export interface ScriptText {
  kind: 'text';
  /** What is said; `source` covers it in order (see SourceRun). */
  text: string;
  source: SourceRun[];
  /** Named by SSML (`<lang xml:lang>`, `<speak xml:lang>`); absent: the request's language, or detected. */
  language?: string;
  /** Multiplies the request's speed (SSML `<prosody rate>`). */
  rate?: number;
  emphasis?: boolean;
}

/** Silence of exactly `ms` (SSML `<break>`, and the pause after a `<p>`). */
export interface ScriptPause {
  kind: 'pause';
  ms: number;
}

export type ScriptItem = ScriptText | ScriptPause;

export interface SpeechScript {
  /** In order; consecutive text items are said as separate sentences. */
  items: ScriptItem[];
  /** What the request is billed: Unicode code points of the text as the user wrote it (SSML's text, not its markup). */
  characters: number;
  format: 'text' | 'ssml';
  /** The pronunciation dictionaries applied, `id@version` in order (apply-rules.ts); absent: none. The audio cache keys and purges by them. */
  dictionaries?: string[];
}

/** Plain text: one stretch, said as written. */
export function plainTextScript(input: string): SpeechScript {
  const length = [...input].length;
  return { items: [{ kind: 'text', text: input, source: [{ length, input_start: 0 }] }], characters: length, format: 'text' };
}
