/**
 * Splits text into pieces an engine synthesizes one at a time, so the first piece's audio goes
 * out before the later ones are made. Sentence boundaries come from Intl.Segmenter (ICU, with
 * rules per language, including CJK full stops); a sentence longer than `maxCharacters` is
 * split again at the last clause mark or space before the limit.
 */
export function splitIntoSentences(text: string, language: string, maxCharacters = 300): string[] {
  return sentenceSpans(text, language, maxCharacters).map((piece) => piece.text);
}

/** The pieces with where each starts in `text` (a UTF-16 index), for word timestamps. */
export function sentenceSpans(text: string, language: string, maxCharacters = 300): Array<{ text: string; start: number }> {
  const segmenter = new Intl.Segmenter(language, { granularity: 'sentence' });
  const pieces: Array<{ text: string; start: number }> = [];
  const push = (piece: string, from: number) => {
    const trimmed = piece.trim();
    if (trimmed) pieces.push({ text: trimmed, start: from + piece.indexOf(trimmed) });
  };
  for (const { segment, index } of segmenter.segment(text)) {
    let rest = segment;
    let at = index;
    while (rest.trim().length > maxCharacters) {
      const lead = rest.length - rest.trimStart().length;
      const window = rest.slice(lead, lead + maxCharacters);
      const cut = Math.max(
        ...[',', ';', ':', '，', '、', '；', '：'].map((mark) => window.lastIndexOf(mark) + 1),
        window.lastIndexOf(' '),
      );
      const length = lead + (cut > maxCharacters / 3 ? cut : maxCharacters);
      push(rest.slice(0, length), at);
      rest = rest.slice(length);
      at += length;
    }
    push(rest, at);
  }
  return pieces;
}
