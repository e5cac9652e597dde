import { PronunciationRuleSchema } from '../../../shared/schemas/pronunciation.ts';

/** Tests' PLS fixture (pls.test.ts, the dictionary routes' tests): a lexicon from another tool, and the rules it holds. */

/** Written by hand after the W3C PLS 1.0 recommendation's examples (sections 4.1 to 4.9). */
export const HAND_WRITTEN_PLS = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Comments may stand anywhere; this one before the root. -->
<lexicon version="1.0"
      xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon
        http://www.w3.org/TR/2008/REC-pronunciation-lexicon-20081014/pls.xsd"
      alphabet="ipa" xml:lang="en-US">
  <meta name="author" content="open-tts tests"/>
  <metadata>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <rdf:Description dc:title="A lexicon written by hand"/>
    </rdf:RDF>
  </metadata>
  <lexeme>
    <grapheme>tomato</grapheme>
    <!-- The second pronunciation is the one to use. -->
    <phoneme>təˈmɑːtoʊ</phoneme>
    <phoneme prefer="true">təˈmeɪtoʊ</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>W3C</grapheme>
    <alias>World Wide Web
      Consortium</alias>
  </lexeme>
  <lexeme>
    <grapheme>colour</grapheme>
    <grapheme>color</grapheme>
    <phoneme alphabet="x-sampa">"kVl@\`</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>SQL</grapheme>
    <alias>sequel</alias>
    <phoneme>ˈɛs kjuː ˈɛl</phoneme>
    <example>SELECT is SQL.</example>
  </lexeme>
  <lexeme>
    <grapheme>AT&amp;T</grapheme>
    <alias><![CDATA[A T & T]]></alias>
  </lexeme>
</lexicon>
`;

export const HAND_WRITTEN_RULES = [
  { type: 'phoneme', string_to_replace: 'tomato', phoneme: 'təˈmeɪtoʊ', alphabet: 'ipa' },
  { type: 'alias', string_to_replace: 'W3C', alias: 'World Wide Web Consortium' },
  { type: 'phoneme', string_to_replace: 'colour', phoneme: '"kVl@`', alphabet: 'x-sampa' },
  { type: 'phoneme', string_to_replace: 'color', phoneme: '"kVl@`', alphabet: 'x-sampa' },
  { type: 'alias', string_to_replace: 'SQL', alias: 'sequel' },
  { type: 'alias', string_to_replace: 'AT&T', alias: 'A T & T' },
].map((rule) => PronunciationRuleSchema.parse(rule));
