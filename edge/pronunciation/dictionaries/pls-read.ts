import { type SaxesAttributeNS, SaxesParser, type SaxesTagNS } from 'saxes';
import { PHONETIC_ALPHABETS, type PhoneticAlphabet } from '../../../shared/schemas/pronunciation.ts';
import { invalidPls } from './errors.ts';

/**
 * Reads a W3C Pronunciation Lexicon (PLS 1.0, https://www.w3.org/TR/pronunciation-lexicon/) into
 * rules, with saxes: a strict, non-validating XML parser that expands no entity but XML's five.
 * A DOCTYPE (where entity declarations live) is refused on sight, so an entity bomb costs nothing.
 *
 * Each `<lexeme>` has one or more `<grapheme>` and a pronunciation: its first `<phoneme>` or
 * `<alias>`, or the one that says `prefer="true"`. Each grapheme makes one rule. A phoneme's
 * alphabet is its own `alphabet` attribute, else the lexicon's. `<meta>`, `<metadata>` and
 * `<example>` are read past.
 */

export const PLS_NAMESPACE = 'http://www.w3.org/2005/01/pronunciation-lexicon';

/** A rule as the file says it (not yet checked against the rule schema), and the line of its lexeme. */
export type PlsRule = { line: number; string_to_replace: string } & ({ type: 'alias'; alias: string } | { type: 'phoneme'; phoneme: string; alphabet: PhoneticAlphabet });

type Pronunciation = { type: 'alias'; alias: string; prefer: boolean } | { type: 'phoneme'; phoneme: string; alphabet: PhoneticAlphabet; prefer: boolean };

interface Lexeme {
  line: number;
  graphemes: string[];
  pronunciations: Pronunciation[];
}

const LEAVES = new Set(['grapheme', 'phoneme', 'alias', 'example']);
const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

function alphabetOf(value: string | undefined): PhoneticAlphabet | undefined | null {
  if (value === undefined) return undefined;
  const alphabet = value.toLowerCase();
  return (PHONETIC_ALPHABETS as readonly string[]).includes(alphabet) ? (alphabet as PhoneticAlphabet) : null;
}

export function readPls(text: string): PlsRule[] {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const fail = (reason: string, line = parser.line, column = parser.column + 1): never => {
    throw invalidPls(reason, line, column);
  };
  const attribute = (tag: SaxesTagNS, name: string): string | undefined => (tag.attributes[name] as SaxesAttributeNS | undefined)?.value;

  const rules: PlsRule[] = [];
  let lexiconAlphabet: PhoneticAlphabet | undefined;
  let lexeme: Lexeme | undefined;
  let leaf: { tag: SaxesTagNS; line: number; column: number; text: string } | undefined;
  let metadataDepth = 0;
  let depth = 0;

  parser.on('error', (error) => fail(error.message.replace(/^\d+:\d+: /, '')));
  parser.on('doctype', () => fail('a DOCTYPE, which ends here, is not accepted (PLS needs none, and its entity declarations are refused).'));
  parser.on('text', (chunk) => {
    if (leaf) leaf.text += chunk;
    else if (metadataDepth === 0 && chunk.trim() !== '') fail(`text outside an element of the lexicon: "${collapse(chunk).slice(0, 40)}".`);
  });
  parser.on('cdata', (chunk) => {
    if (leaf) leaf.text += chunk;
    else if (metadataDepth === 0) fail('character data outside an element of the lexicon.');
  });

  parser.on('opentag', (tag) => {
    depth++;
    if (metadataDepth > 0) {
      metadataDepth++;
      return;
    }
    const name = tag.uri === PLS_NAMESPACE ? tag.local : undefined;
    const where = depth === 1 ? 'root' : depth === 2 ? 'lexicon' : lexeme && !leaf && depth === 3 ? 'lexeme' : 'leaf';
    if (where === 'root') {
      if (name !== 'lexicon') fail(`the root element is <${tag.name}>, not <lexicon> in the PLS namespace (${PLS_NAMESPACE}).`);
      if (attribute(tag, 'version') !== '1.0') fail('<lexicon> needs version="1.0".');
      const alphabet = alphabetOf(attribute(tag, 'alphabet'));
      if (alphabet === null) fail(`<lexicon alphabet="${attribute(tag, 'alphabet')}">: the alphabets taken are ${PHONETIC_ALPHABETS.join(' and ')}.`);
      lexiconAlphabet = alphabet ?? undefined;
    } else if (where === 'lexicon' && name === 'lexeme') {
      lexeme = { line: parser.line, graphemes: [], pronunciations: [] };
    } else if (where === 'lexicon' && name === 'metadata') {
      metadataDepth = 1;
    } else if (where === 'lexicon' && name === 'meta') {
      // <meta name content/>: nothing a rule needs.
    } else if (where === 'lexeme' && name !== undefined && LEAVES.has(name)) {
      leaf = { tag, line: parser.line, column: parser.column + 1, text: '' };
    } else {
      fail(`<${tag.name}> is not an element PLS allows here.`);
    }
  });

  parser.on('closetag', (tag) => {
    depth--;
    if (metadataDepth > 0) {
      metadataDepth--;
      return;
    }
    if (leaf && depth === 2) {
      closeLeaf(leaf);
      leaf = undefined;
    } else if (lexeme && tag.local === 'lexeme' && depth === 1) {
      closeLexeme(lexeme);
      lexeme = undefined;
    }
  });

  function closeLeaf({ tag, line, column, text }: NonNullable<typeof leaf>): void {
    const prefer = attribute(tag, 'prefer') === 'true';
    if (tag.local === 'grapheme') {
      const grapheme = collapse(text);
      if (grapheme === '') fail('an empty <grapheme>.', line, column);
      lexeme!.graphemes.push(grapheme);
    } else if (tag.local === 'alias') {
      lexeme!.pronunciations.push({ type: 'alias', alias: collapse(text), prefer });
    } else if (tag.local === 'phoneme') {
      const own = alphabetOf(attribute(tag, 'alphabet'));
      if (own === null) fail(`<phoneme alphabet="${attribute(tag, 'alphabet')}">: the alphabets taken are ${PHONETIC_ALPHABETS.join(' and ')}.`, line, column);
      const alphabet = own ?? lexiconAlphabet;
      if (!alphabet) fail('a <phoneme> with no alphabet, on it or on <lexicon>.', line, column);
      lexeme!.pronunciations.push({ type: 'phoneme', phoneme: text.trim(), alphabet: alphabet!, prefer });
    }
  }

  function closeLexeme({ line, graphemes, pronunciations }: Lexeme): void {
    if (graphemes.length === 0) fail('a <lexeme> with no <grapheme>.', line, 1);
    const chosen = pronunciations.find((pronunciation) => pronunciation.prefer) ?? pronunciations[0];
    if (!chosen) fail('a <lexeme> with neither <phoneme> nor <alias>.', line, 1);
    const { prefer: _prefer, ...said } = chosen!;
    for (const grapheme of graphemes) rules.push({ line, string_to_replace: grapheme, ...said });
  }

  parser.write(text).close();
  return rules;
}
