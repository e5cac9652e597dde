/** A stretch of text in Unicode code points, [start, end): how word timestamps count characters. */
export interface CharSpan {
  start: number;
  end: number;
}

/** Code points before each UTF-16 index of `text` (an astral character is two units, one point). */
export function codePointIndex(text: string): (utf16Index: number) => number {
  const points = new Uint32Array(text.length + 1);
  for (let i = 0, n = 0; i < text.length; i++) {
    points[i] = n;
    const code = text.charCodeAt(i);
    // A high surrogate starts a pair: its low half counts with it.
    if (!(code >= 0xd800 && code <= 0xdbff && i + 1 < text.length)) n++;
    points[i + 1] = n;
  }
  return (index) => points[index]!;
}

/** The words of `text` (ICU's word boundaries for its language, so CJK works too), in code points. */
export function wordSpans(text: string, language: string): CharSpan[] {
  const toPoint = codePointIndex(text);
  const spans: CharSpan[] = [];
  for (const { segment, index, isWordLike } of new Intl.Segmenter(language, { granularity: 'word' }).segment(text)) {
    if (isWordLike) spans.push({ start: toPoint(index), end: toPoint(index + segment.length) });
  }
  return spans;
}
