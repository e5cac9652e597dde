import type { ScriptItem, ScriptPause, ScriptText } from '../script.ts';
import type { TextPart } from './text-parts.ts';

/** How the elements around a stretch of text say it. */
export interface Style {
  language?: string;
  rate?: number;
  emphasis?: boolean;
}

interface OpenText {
  style: Style;
  parts: TextPart[];
}

/**
 * Collects an SSML document's text and pauses into script items, in document order. Text of the
 * same style in one sentence is one item of several runs; a sentence boundary, a pause or a change
 * of style starts another. Whitespace never starts an item, and items are trimmed when finished.
 * Parts are read only in `finish`, so a part's text may still be filled in until then (say-as).
 */
export class ScriptBuilder {
  private readonly entries: (OpenText | ScriptPause)[] = [];
  private open: OpenText | undefined;
  /** A paragraph's pause, said only if more speech follows and no break replaces it. */
  private pendingPause = 0;

  add(part: TextPart, style: Style): void {
    if (isBlank(part.text)) {
      this.open?.parts.push(part);
      return;
    }
    if (this.open !== undefined && sameStyle(this.open.style, style)) {
      this.open.parts.push(part);
      return;
    }
    this.endSentence();
    if (this.pendingPause > 0) this.entries.push({ kind: 'pause', ms: this.pendingPause });
    this.pendingPause = 0;
    this.open = { style, parts: [part] };
    this.entries.push(this.open);
  }

  endSentence(): void {
    this.open = undefined;
  }

  /** A `<break>`: it ends the sentence and takes the place of a paragraph's pause. */
  pause(ms: number): void {
    this.endSentence();
    this.pendingPause = 0;
    if (ms > 0) this.entries.push({ kind: 'pause', ms });
  }

  /** The pause after a paragraph: kept only if speech follows before a break. */
  pauseIfSpeechFollows(ms: number): void {
    this.endSentence();
    this.pendingPause = ms;
  }

  finish(): ScriptItem[] {
    const items: ScriptItem[] = [];
    for (const entry of this.entries) {
      if ('kind' in entry) items.push(entry);
      else {
        const item = textItem(entry);
        if (item !== undefined) items.push(item);
      }
    }
    return items;
  }
}

function textItem({ style, parts }: OpenText): ScriptText | undefined {
  const trimmed = trimParts(parts);
  if (trimmed.length === 0) return undefined;
  return {
    kind: 'text',
    text: trimmed.map((part) => part.text).join(''),
    source: trimmed.map((part) => part.run),
    ...(style.language === undefined ? {} : { language: style.language }),
    ...(style.rate === undefined ? {} : { rate: style.rate }),
    ...(style.emphasis ? { emphasis: true } : {}),
  };
}

/** Without the whitespace at either end: a verbatim run then starts or ends later in the input, a replacement just says less. */
function trimParts(parts: TextPart[]): TextPart[] {
  const kept = parts.map((part) => ({ text: part.text, run: { ...part.run } }));
  while (kept.length > 0) {
    const first = kept[0]!;
    const text = first.text.replace(/^\s+/u, '');
    const removed = codePoints(first.text) - codePoints(text);
    first.text = text;
    first.run.length -= removed;
    if (first.run.replaces === undefined) first.run.input_start += removed;
    if (text.length > 0) break;
    kept.shift();
  }
  while (kept.length > 0) {
    const last = kept[kept.length - 1]!;
    const text = last.text.replace(/\s+$/u, '');
    last.run.length -= codePoints(last.text) - codePoints(text);
    last.text = text;
    if (text.length > 0) break;
    kept.pop();
  }
  return kept;
}

const isBlank = (text: string) => /^\s*$/u.test(text);
const codePoints = (text: string) => [...text].length;
const sameStyle = (a: Style, b: Style) => a.language === b.language && a.rate === b.rate && Boolean(a.emphasis) === Boolean(b.emphasis);
