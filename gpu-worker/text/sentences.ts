/**
 * Splits text into pieces an engine synthesizes one at a time, so the first piece's audio goes
 * out before the later ones are made. Sentence boundaries come from Intl.Segmenter (ICU, with
 * rules per language, including CJK full stops); a sentence longer than `maxCharacters` is
 * split again at the last clause mark or space before the limit.
 */
export function splitIntoSentences(text: string, language: string, maxCharacters = 300): string[] {
  const segmenter = new Intl.Segmenter(language, { granularity: 'sentence' });
  const pieces: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    let rest = segment.trim();
    while (rest.length > maxCharacters) {
      const window = rest.slice(0, maxCharacters);
      const cut = Math.max(
        ...[',', ';', ':', '，', '、', '；', '：'].map((mark) => window.lastIndexOf(mark) + 1),
        window.lastIndexOf(' '),
      );
      const at = cut > maxCharacters / 3 ? cut : maxCharacters;
      pieces.push(rest.slice(0, at).trim());
      rest = rest.slice(at).trim();
    }
    if (rest) pieces.push(rest);
  }
  return pieces;
}
