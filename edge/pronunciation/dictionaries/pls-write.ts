import type { PronunciationRule } from '../../../shared/schemas/pronunciation.ts';
import { PLS_NAMESPACE } from './pls-read.ts';

/**
 * A version's rules as a PLS 1.0 document, the shape pls-read.ts reads: one `<lexeme>` per rule,
 * its `<grapheme>` and an `<alias>` or a `<phoneme>` (with `alphabet` when it is not the
 * lexicon's, IPA). PLS has no place for a rule's matching options: rules read back from it are
 * case-sensitive and whole-word, the defaults. A dictionary has no language, so `xml:lang` is
 * BCP 47's "und" (undetermined), which PLS requires to be present.
 */

const escapeText = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const escapeAttribute = (text: string) => escapeText(text).replaceAll('"', '&quot;');

function lexeme(rule: PronunciationRule): string {
  const said =
    rule.type === 'alias'
      ? `<alias>${escapeText(rule.alias)}</alias>`
      : `<phoneme${rule.alphabet === 'ipa' ? '' : ` alphabet="${escapeAttribute(rule.alphabet)}"`}>${escapeText(rule.phoneme)}</phoneme>`;
  return `  <lexeme>\n    <grapheme>${escapeText(rule.string_to_replace)}</grapheme>\n    ${said}\n  </lexeme>\n`;
}

export function writePls(rules: PronunciationRule[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<lexicon version="1.0" xmlns="${PLS_NAMESPACE}" alphabet="ipa" xml:lang="und">\n`,
    ...rules.map(lexeme),
    '</lexicon>\n',
  ].join('');
}
