import type { TextSegment } from '../../shared/protocol/worker-api.ts';
import type { EngineWord } from '../engines/types.ts';

/** A run of a segment's text, placed: where it is in the segment (code points) and what it stands for in `input`. */
interface PlacedRun {
  start: number;
  end: number;
  inputStart: number;
  /** Present for a replaced run: the input it is said in place of ends here. */
  replacedEnd?: number;
}

/** The segment's runs placed end to end; a segment without runs is one verbatim run from `chars`. */
function placeRuns(segment: TextSegment, chars: number): PlacedRun[] {
  if (!segment.source) return [{ start: 0, end: Number.POSITIVE_INFINITY, inputStart: chars }];
  let at = 0;
  return segment.source.map((run) => {
    const placed: PlacedRun = {
      start: at,
      end: at + run.length,
      inputStart: run.input_start,
      ...(run.replaces === undefined ? {} : { replacedEnd: run.input_start + run.replaces }),
    };
    at += run.length;
    return placed;
  });
}

/**
 * A segment's engine words (offsets in the segment's text) as words of the request's `input`,
 * following the segment's source runs (shared/protocol/worker-api.ts, SourceRunSchema): a verbatim
 * run moves offsets by its place in `input`; any word touching a replaced run spans the whole input
 * it replaces, and the engine's words inside one replaced run become one word. A word that crosses
 * runs spans the union.
 *
 * A word is handed out as soon as it is whole. One that ends inside a replaced run may still grow
 * (the engine says more words of the run): it is held until a word beyond the run comes or the
 * segment ends; while `growing`, the caller holds the audio after the word's start too.
 */
export class SourceWords {
  private readonly runs: PlacedRun[];
  private pending: EngineWord | undefined;
  /** The segment-text offset the pending word's run ends at: a word starting before it joins the word. */
  private pendingRunEnd = 0;

  /** `chars`: for a segment without runs, where its text starts in `input` (the text segments before it, joined). */
  constructor(segment: TextSegment, chars: number) {
    this.runs = placeRuns(segment, chars);
  }

  /** True while a held word may still take in later engine words. */
  get growing(): boolean {
    return this.pending !== undefined;
  }

  /** The engine's next words; returns those now complete, in input terms. */
  push(words: readonly EngineWord[]): EngineWord[] {
    const done: EngineWord[] = [];
    for (const word of words) {
      const mapped = this.map(word);
      if (this.pending && word.charStart < this.pendingRunEnd) this.pending = join(this.pending, mapped);
      else {
        if (this.pending) done.push(this.pending);
        this.pending = mapped;
      }
      // Whole unless it ends inside a replaced run whose text the engine has not finished saying.
      const run = this.replacedRunAt(word.charEnd - 1);
      if (run && word.charEnd < run.end) this.pendingRunEnd = run.end;
      else {
        done.push(this.pending);
        this.pending = undefined;
      }
    }
    return done;
  }

  /** The segment is done: the held word, if any, is whole. */
  end(): EngineWord[] {
    const rest = this.pending ? [this.pending] : [];
    this.pending = undefined;
    return rest;
  }

  private replacedRunAt(offset: number): PlacedRun | undefined {
    const run = this.runs.find((candidate) => offset >= candidate.start && offset < candidate.end);
    return run?.replacedEnd === undefined ? undefined : run;
  }

  /** One engine word's input span: the union of what each run it touches stands for. */
  private map(word: EngineWord): EngineWord {
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    for (const run of this.runs) {
      if (run.end <= word.charStart || run.start >= word.charEnd) continue;
      if (run.replacedEnd !== undefined) {
        start = Math.min(start, run.inputStart);
        end = Math.max(end, run.replacedEnd);
      } else {
        start = Math.min(start, run.inputStart + Math.max(word.charStart, run.start) - run.start);
        end = Math.max(end, run.inputStart + Math.min(word.charEnd, run.end) - run.start);
      }
    }
    // A word outside every run (the engine spoke past the runs' text): kept where it is.
    if (start === Number.POSITIVE_INFINITY) return word;
    return { ...word, charStart: start, charEnd: end };
  }
}

const join = (first: EngineWord, next: EngineWord): EngineWord => ({
  charStart: Math.min(first.charStart, next.charStart),
  charEnd: Math.max(first.charEnd, next.charEnd),
  startSample: first.startSample,
  endSample: Math.max(first.endSample, next.endSample),
});
